// A worker process: builds the app with the worker role only and runs until SIGTERM/SIGINT.
import { loadConfigOrExit } from '../src/config.ts';

const config = loadConfigOrExit();
const { createApp } = await import('../src/app.ts');
const { createLogger } = await import('../src/shared/logger.ts');
const { runUntilSignal } = await import('../src/shared/process.ts');
const logger = createLogger(config.logLevel);
await runUntilSignal(logger, () => createApp(config, { api: false, worker: true }, logger));
