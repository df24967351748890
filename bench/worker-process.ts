// The benchmark's send worker, in its own process (as in production), configured by env.
//   argv[2] = 'check'    the product's own composition: createApp with the worker role;
//   argv[2] = 'no-check' the same composition, but the send-time check reads a SubscriptionStore
//                        that answers emptyState without any I/O — the check costs nothing. Given
//                        through createApp's overrides; production code has no switch.
// IPC: sends {ready}; answers 'stats' with {outcomes: {sent, suppressed, failed}, rssMb, cpuMs,
// dbCommands}; exits on 'close'. cpuMs is this process's CPU (user + system) so far; dbCommands
// counts the MongoDB commands this process sent (driver command monitoring, by command name).
import type { Registry } from 'prom-client';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/shared/logger.ts';
import type { SubscriptionStore } from '../src/subscriptions/subscription-store.ts';
import { emptyState, type AddressState } from '../src/subscriptions/types.ts';

const mode = process.argv[2] === 'no-check' ? 'no-check' : 'check';
// Command monitoring is a connection-string option: the product's own connect code stays as it is.
const mongoUrl = new URL(process.env.MONGO_URL!);
mongoUrl.searchParams.set('monitorCommands', 'true');
const config = loadConfig({ ...process.env, MONGO_URL: mongoUrl.toString() });
const logger = createLogger(config.logLevel);

const noCheckStore: SubscriptionStore = {
  get: (address) => Promise.resolve(emptyState(address)),
  getMany: (addresses) => Promise.resolve(new Map<string, AddressState>(addresses.map((a) => [a, emptyState(a)]))),
  apply: () => Promise.reject(new Error('bench no-check store is read-only')),
};

const app: App = await createApp(config, { api: false, worker: true }, logger, mode === 'check' ? {} : { sendTimeStore: noCheckStore });
await app.start();
const registry: Registry = app.ctx.metrics;
const dbCommands: Record<string, number> = {};
app.ctx.db.getClient().on('commandStarted', (event: { commandName: string }) => {
  dbCommands[event.commandName] = (dbCommands[event.commandName] ?? 0) + 1;
});

async function outcomes(): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric('mailgate_messages_total');
  const counts: Record<string, number> = { sent: 0, suppressed: 0, failed: 0 };
  for (const v of metric ? (await metric.get()).values : []) {
    const outcome = String(v.labels.outcome);
    counts[outcome] = (counts[outcome] ?? 0) + v.value;
  }
  return counts;
}

process.on('message', (msg: unknown) => {
  if (msg === 'stats') {
    void outcomes().then((counts) => {
      const cpu = process.cpuUsage();
      process.send!({ outcomes: counts, rssMb: process.memoryUsage.rss() / 2 ** 20, cpuMs: (cpu.user + cpu.system) / 1000, dbCommands });
    });
  } else if (msg === 'close') {
    void (async () => {
      await app.close();
      process.exit(0); // a clean exit, so --cpu-prof writes its profile
    })();
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, mode });
