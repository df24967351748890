// The bench's enqueue API in its own process (createApp with the api role, configured by env), so
// its CPU per enqueued message is measured apart from the load generator.
// IPC: sends {ready, url}; answers 'cpu' with {cpuMs} (user + system so far); on 'close' drops its
// database, closes and exits.
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/shared/logger.ts';

const config = loadConfig(process.env);
const app = await createApp(config, { api: true, worker: false }, createLogger(config.logLevel));
await app.start();

process.on('message', (msg: unknown) => {
  if (msg === 'cpu') {
    const cpu = process.cpuUsage();
    process.send!({ cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (msg === 'close') {
    void (async () => {
      await app.ctx.db.dropDatabase().catch(() => undefined);
      await app.close();
      process.exit(0);
    })();
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, url: app.url });
