interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (reason: unknown) => void;
}

export interface MicroBatcherDeps<T, R> {
  /** Handles a whole batch; returns one result per item, in order. A throw fails every item of the batch. */
  run(items: T[]): Promise<R[]>;
  /** Flush when this many items wait (default 100). */
  maxBatch?: number;
  /** Flush at the latest this long after the first item arrived (default 1 ms). */
  maxWaitMs?: number;
  /**
   * Batches running at once (default 1). While they run, new items gather for the next batch
   * (group commit): under load, batches grow instead of round trips multiplying.
   */
  maxInFlight?: number;
}

/**
 * Collects the calls of concurrently running jobs for a millisecond and hands them to one
 * database round trip: 50 jobs in flight cost one query instead of 50.
 */
export class MicroBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;

  constructor(private readonly deps: MicroBatcherDeps<T, R>) {
    this.maxBatch = deps.maxBatch ?? 100;
    this.maxWaitMs = deps.maxWaitMs ?? 1;
    this.maxInFlight = deps.maxInFlight ?? 1;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // At the limit: the batch that is running flushes what gathered when it finishes.
    if (this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.inFlight += 1;
    Promise.resolve(batch.map((p) => p.item))
      .then((items) => this.deps.run(items))
      .then(
        (results) => batch.forEach((p, i) => p.resolve(results[i] as R)),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
  }
}
