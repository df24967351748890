// The bench's baseline: a bare nodemailer pooled sender in its own process, the same transport code
// the worker uses (createNodemailerTransport: SMTP_POOL_SIZE connections), sending already rendered
// messages WORKER_CONCURRENCY at a time to the same sink. What this process spends per message is
// what sending the mail costs; the worker's CPU beyond it is what mailgate adds.
// IPC: sends {ready}; {load: mails} appends mails (answers {loaded}); 'run' sends every loaded mail
// and answers {count, seconds, cpuMs} (CPU of the sending only); exits on 'close'.
import { createNodemailerTransport, type OutgoingMail } from '../src/delivery/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { MessageTags } from '../src/shared/message-tag.ts';

const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 50);
const transport = createNodemailerTransport(
  { env: 'test', smtpUrl: process.env.SMTP_URL, smtpPoolSize: Number(process.env.SMTP_POOL_SIZE ?? 5), dkim: undefined, mailFrom: 'bench@mail.example.com', emlDir: '/tmp' },
  createLogger('warn'),
  new MessageTags(['bench-secret-0123456789abcdef']),
);
let loaded: OutgoingMail[] = [];

async function run(): Promise<{ count: number; seconds: number; cpuMs: number }> {
  const mails = loaded;
  loaded = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, mails.length) }, async () => {
      while (next < mails.length) await transport.send(mails[next++]!);
    }),
  );
  const used = process.cpuUsage(cpu);
  return { count: mails.length, seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
}

process.on('message', (msg: unknown) => {
  if (msg === 'run') void run().then((r) => process.send!(r));
  else if (msg === 'close') void transport.close().then(() => process.exit(0));
  else if (typeof msg === 'object' && msg !== null && 'load' in msg) {
    loaded.push(...(msg as { load: OutgoingMail[] }).load);
    process.send!({ loaded: loaded.length });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
