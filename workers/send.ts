// A worker process: builds the app with the worker role only and runs until SIGTERM/SIGINT.
import { loadConfig, ConfigError } from '../src/config.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const { createApp } = await import('../src/app.ts');
const { createLogger } = await import('../src/shared/logger.ts');
const { runUntilSignal } = await import('../src/shared/process.ts');
const logger = createLogger(config.logLevel);
await runUntilSignal(logger, () => createApp(config, { api: false, worker: true }, logger));
