import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { z } from 'zod';
import { isDuplicateKey } from '../shared/mongo-errors.ts';
import { guardEventModel, streamGuardModel, type GuardEventDoc, type StreamGuardDoc } from './guard.model.ts';

// Rows are parsed where they leave the database (STYLE.md): a stray document cannot pass for a state.
const guardRow = z.object({
  _id: z.string(),
  state: z.enum(['ok', 'warn', 'paused']),
  pausedAt: z.date().optional(),
  pausedBy: z.enum(['guard', 'operator']).optional(),
  reason: z.string().optional(),
  resumedAt: z.date().optional(),
  updatedAt: z.date(),
});
const parseGuard = (row: unknown): StreamGuardDoc => {
  const p = guardRow.parse(row);
  return {
    _id: p._id,
    state: p.state,
    updatedAt: p.updatedAt,
    ...(p.pausedAt ? { pausedAt: p.pausedAt } : {}),
    ...(p.pausedBy ? { pausedBy: p.pausedBy } : {}),
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    ...(p.resumedAt ? { resumedAt: p.resumedAt } : {}),
  };
};

/**
 * The guard's state per stream (`stream_guards`) and its audit (`stream_guard_events`), in MongoDB:
 * a pause must outlive a Redis restart. Every change is a conditional update on the stream's
 * document, so two processes that judge at the same moment cannot both pause (or warn) it. The
 * extra condition beside `_id` is not pushed down on FerretDB (docs/ferretdb.md); the collection
 * holds one document per stream.
 */
export class GuardRepository {
  private readonly guards: Model<StreamGuardDoc>;
  private readonly events: Model<GuardEventDoc>;

  constructor(deps: { db: Connection }) {
    this.guards = streamGuardModel(deps.db);
    this.events = guardEventModel(deps.db);
  }

  async ensureIndexes(): Promise<void> {
    await this.events.createIndexes();
  }

  /** Every stream's state (the gate reads this once a second per process). */
  async all(): Promise<StreamGuardDoc[]> {
    const rows = await this.guards.find({}).lean();
    return rows.map(parseGuard);
  }

  async get(stream: string): Promise<StreamGuardDoc | undefined> {
    const row = await this.guards.findOne({ _id: stream }).lean();
    return row ? parseGuard(row) : undefined;
  }

  /** Pauses unless paused already; true when this call paused it. */
  async pause(stream: string, fields: { at: Date; by: 'guard' | 'operator'; reason: string }): Promise<boolean> {
    await this.ensure(stream);
    const { modifiedCount } = await this.guards.updateOne(
      { _id: stream, state: { $ne: 'paused' } },
      { $set: { state: 'paused', pausedAt: fields.at, pausedBy: fields.by, reason: fields.reason, updatedAt: fields.at } },
    );
    return modifiedCount === 1;
  }

  /** Resumes a paused stream; true when this call resumed it. */
  async resume(stream: string, at: Date): Promise<boolean> {
    const { modifiedCount } = await this.guards.updateOne(
      { _id: stream, state: 'paused' },
      { $set: { state: 'ok', resumedAt: at, updatedAt: at }, $unset: { pausedAt: 1, pausedBy: 1, reason: 1 } },
    );
    return modifiedCount === 1;
  }

  /** ok → warn; true when this call crossed it (a warning is recorded once per crossing). */
  async warn(stream: string, at: Date): Promise<boolean> {
    await this.ensure(stream);
    const { modifiedCount } = await this.guards.updateOne({ _id: stream, state: 'ok' }, { $set: { state: 'warn', updatedAt: at } });
    return modifiedCount === 1;
  }

  /** warn → ok, once the rates are back under the warn thresholds. */
  async clearWarning(stream: string, at: Date): Promise<void> {
    await this.guards.updateOne({ _id: stream, state: 'warn' }, { $set: { state: 'ok', updatedAt: at } });
  }

  /** Appends an audit record; `_id` when the caller needed it first (its webhook event's id derives from it). */
  async record(event: Omit<GuardEventDoc, '_id'> & { _id?: string }): Promise<GuardEventDoc> {
    const doc = { ...event, _id: event._id ?? guardEventId() };
    await this.events.create(doc);
    return doc;
  }

  /** A stream's history, newest first. */
  async history(stream: string, limit = 50): Promise<GuardEventDoc[]> {
    return this.events.find({ stream }).sort({ at: -1 }).limit(limit).lean<GuardEventDoc[]>();
  }

  /** The stream's document, `ok` when it had none. */
  private async ensure(stream: string): Promise<void> {
    try {
      await this.guards.updateOne({ _id: stream }, { $setOnInsert: { state: 'ok', updatedAt: new Date() } }, { upsert: true });
    } catch (err) {
      // Two processes inserting the same stream at once: the other one's document stands.
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

/** A new audit record's id. */
export const guardEventId = (): string => `gev_${randomUUID()}`;
