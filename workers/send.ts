// A worker process: builds the app with the worker role only and runs until SIGTERM/SIGINT.
import { loadConfig, ConfigError } from '../src/config.ts';
import { createApp } from '../src/app.ts';
import { createLogger } from '../src/shared/logger.ts';
import { runUntilSignal } from '../src/shared/process.ts';

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
const logger = createLogger(config.logLevel);
await runUntilSignal(logger, () => createApp(config, { api: false, worker: true }, logger));
