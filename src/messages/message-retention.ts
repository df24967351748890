import type { MessageRepository } from './message-repository.ts';

export interface RetentionReport {
  messages: number;
}

/**
 * Deletes the records of final messages older than the retention window, with their outcomes and
 * relay feedback (docs/rules.md §10; no TTL indexes: see docs/ferretdb.md), in pages, at most
 * `maxPages` per run. The record goes first: a record left without its outcome would look unsent
 * to the reconciler, an outcome left without its record is harmless. Messages with no outcome yet
 * are the reconciler's, and stay.
 */
export class MessageRetention {
  constructor(private readonly deps: { messages: MessageRepository; pageSize?: number; maxPages?: number }) {}

  async run(cutoff: Date): Promise<RetentionReport> {
    const pageSize = this.deps.pageSize ?? 1000;
    const maxPages = this.deps.maxPages ?? 50;
    let after: Parameters<MessageRepository['findQueuedCreated']>[1];
    let deleted = 0;
    for (let page = 0; page < maxPages; page++) {
      const records = await this.deps.messages.findQueuedCreated({ from: new Date(0), to: cutoff }, after, pageSize);
      if (records.length === 0) break;
      after = records.at(-1);
      const open = new Set(await this.deps.messages.withoutOutcome(records.map((r) => r._id)));
      const final = records.map((r) => r._id).filter((id) => !open.has(id));
      await this.deps.messages.deleteFinal(final);
      deleted += final.length;
      if (records.length < pageSize) break;
    }
    return { messages: deleted };
  }
}
