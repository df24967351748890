import type { Logger } from '../shared/logger.ts';

export interface Closable {
  close(): Promise<unknown>;
}

/** What the composition root starts, in order, and closes, in reverse order of registration. */
export class Lifecycle {
  private readonly starters: (() => Promise<unknown>)[] = [];
  private readonly closables: Closable[] = [];

  onStart(start: () => Promise<unknown>): void {
    this.starters.push(start);
  }

  onClose(closable: Closable): void {
    this.closables.push(closable);
  }

  async start(): Promise<void> {
    for (const start of this.starters) await start();
  }

  async close(logger: Logger): Promise<void> {
    for (const closable of [...this.closables].reverse()) {
      await closable.close().catch((err: unknown) => logger.warn({ event: 'app.close_error', err }));
    }
  }
}
