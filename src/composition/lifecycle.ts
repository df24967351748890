import { settlesWithin } from '../shared/deadline.ts';
import type { Logger } from '../shared/logger.ts';

export interface Closable {
  close(): Promise<unknown>;
}

/**
 * How long one close may take before the next goes on without it: a connection to a Redis node
 * that is gone (a cluster or Sentinel failover) can leave a close waiting for a reply that never
 * comes, and shutting down must not hang on it (what it held is retried: a job's lock expires).
 */
const CLOSE_BOUND_MS = 15_000;

/** What the composition root starts, in order, and closes, in reverse order of registration. */
export class Lifecycle {
  private readonly starters: (() => Promise<unknown>)[] = [];
  private readonly closables: { closable: Closable; name: string }[] = [];

  constructor(private readonly closeBoundMs = CLOSE_BOUND_MS) {}

  onStart(start: () => Promise<unknown>): void {
    this.starters.push(start);
  }

  /** `name` says which close was slow, in the `app.close_slow` log line. */
  onClose(closable: Closable, name = `close #${this.closables.length + 1}`): void {
    this.closables.push({ closable, name });
  }

  async start(): Promise<void> {
    for (const start of this.starters) await start();
  }

  async close(logger: Logger): Promise<void> {
    for (const { closable, name } of [...this.closables].reverse()) {
      const closing = closable.close().catch((err: unknown) => logger.warn({ event: 'app.close_error', name, err }));
      if (!(await settlesWithin(closing, this.closeBoundMs))) logger.warn({ event: 'app.close_slow', name, afterMs: this.closeBoundMs }, 'a close did not finish; going on without it');
    }
  }
}
