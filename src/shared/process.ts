import type { Logger } from './logger.ts';

interface Runnable {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the app, then closes it cleanly on SIGTERM/SIGINT and exits 0; start-up failures exit 1. */
export async function runUntilSignal(logger: Logger, build: () => Promise<Runnable>): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    logger.error({ event: 'process.unhandled_rejection', err: reason });
  });
  let app: Runnable;
  try {
    app = await build();
    await app.start();
  } catch (err) {
    logger.fatal({ event: 'process.start_failed', err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
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
    app.close().then(
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
}
