import { loadConfigOrExit } from './config.ts';
import type { Roles } from './shared/roles.ts';

/**
 * Runs one process with these roles until SIGTERM/SIGINT. The configuration is checked before
 * anything heavy is loaded, so a bad value fails in a blink.
 */
export async function run(roles: Roles): Promise<void> {
  const config = loadConfigOrExit();
  const { createApp } = await import('./app.ts');
  const { createLogger } = await import('./shared/logger.ts');
  const { runUntilSignal } = await import('./shared/process.ts');
  const logger = createLogger(config.logLevel);
  await runUntilSignal(logger, () => createApp(config, roles, logger));
}
