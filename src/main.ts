import { loadConfig, ConfigError } from './config.ts';
import { createApp } from './app.ts';
import { createLogger } from './shared/logger.ts';
import { runUntilSignal } from './shared/process.ts';

// `npm start` runs the API and one worker; `npm run start:api` (argument "api") runs the API alone.
const mode = process.argv[2] ?? 'all';
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
await runUntilSignal(logger, () => createApp(config, { api: mode !== 'worker', worker: mode !== 'api' }, logger));
