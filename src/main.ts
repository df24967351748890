import { loadConfigOrExit } from './config.ts';

// `npm start` runs the API and one worker; `npm run start:api` (argument "api") runs the API alone.
// The configuration is checked before anything heavy is loaded, so a bad value fails in a blink.
const mode = process.argv[2] ?? 'all';
const config = loadConfigOrExit();
const { createApp } = await import('./app.ts');
const { createLogger } = await import('./shared/logger.ts');
const { runUntilSignal } = await import('./shared/process.ts');
const logger = createLogger(config.logLevel);
await runUntilSignal(logger, () => createApp(config, { api: mode !== 'worker', worker: mode !== 'api' }, logger));
