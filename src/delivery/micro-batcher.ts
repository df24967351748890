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
}

/**
 * Collects the calls of concurrently running jobs for a millisecond and hands them to one
 * database round trip: 50 jobs in flight cost one `$in` query instead of 50 finds.
 */
export class MicroBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;

  constructor(private readonly deps: MicroBatcherDeps<T, R>) {
    this.maxBatch = deps.maxBatch ?? 100;
    this.maxWaitMs = deps.maxWaitMs ?? 1;
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
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    Promise.resolve(batch.map((p) => p.item)).then((items) => this.deps.run(items)).then(
      (results) => batch.forEach((p, i) => p.resolve(results[i] as R)),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
}
