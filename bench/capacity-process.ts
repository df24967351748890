// A process of `npm run bench:capacity`, configured by env, composed as production composes it:
//   argv[2] = 'api'          createApp with the api role (as `npm run start:api`)
//   argv[2] = 'send-worker'  createApp with the worker role on the send queues only (as workers/send.ts)
// IPC: sends {ready, url}; answers 'stats' with {cpuMs, mongoCommands, outcomes}; exits on 'close'.
// cpuMs is this process's CPU (user + system) so far. mongoCommands is the product's own counter,
// mailgate_mongo_commands_total{command} (shared/mongo-metrics.ts), read from the app's registry.
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/shared/logger.ts';

const role = process.argv[2] === 'api' ? 'api' : 'send-worker';
const config = loadConfig(process.env);
const app = await createApp(config, role === 'api' ? { api: true, worker: false } : { api: false, worker: true, queues: ['send'] }, createLogger(config.logLevel));
await app.start();

/** A counter's values summed by one label. */
async function byLabel(metricName: string, label: string): Promise<Record<string, number>> {
  const metric = app.ctx.metrics.getSingleMetric(metricName);
  const out: Record<string, number> = {};
  for (const v of metric ? (await metric.get()).values : []) {
    const key = String(v.labels[label]);
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

process.on('message', (msg: unknown) => {
  if (msg === 'stats') {
    void Promise.all([byLabel('mailgate_mongo_commands_total', 'command'), byLabel('mailgate_messages_total', 'outcome')]).then(([mongoCommands, outcomes]) => {
      const cpu = process.cpuUsage();
      process.send!({ cpuMs: (cpu.user + cpu.system) / 1000, mongoCommands, outcomes });
    });
  } else if (msg === 'close') {
    void app.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, url: app.url ?? null });
