import { ConfigError } from '../config-values.ts';
import type { Logger } from './logger.ts';

interface Runnable {
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the app, then closes it cleanly on SIGTERM/SIGINT and exits 0; start-up failures exit 1 (a ConfigError with its one line on stderr).
 * The signal handlers are installed before start-up begins: a SIGTERM that arrives while the app is
 * still starting waits for start-up to finish and then closes it, instead of killing the process.
 */
export async function runUntilSignal(logger: Logger, build: () => Promise<Runnable>): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    logger.error({ event: 'process.unhandled_rejection', err: reason });
  });
  let app: Runnable | undefined;
  let starting: Promise<void> = Promise.resolve();
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ event: 'process.shutdown', signal }, `received ${signal}, closing`);
    const force = setTimeout(() => {
      logger.error({ event: 'process.shutdown_timeout' }, 'shutdown took too long, exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    starting
      .catch(() => undefined)
      .then(() => app?.close())
      .then(
        () => {
          logger.info({ event: 'process.closed' }, 'closed cleanly');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ event: 'process.close_failed', err });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    starting = build().then((built) => {
      app = built;
      return built.start();
    });
    await starting;
  } catch (err) {
    // A configuration found wrong only at start-up (e.g. Sentinels or a cluster that never answer)
    // ends like one refused at load: its one line, on stderr.
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    logger.fatal({ event: 'process.start_failed', err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
