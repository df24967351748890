import type { mongo } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import { findByIds, type ReadShape } from '../shared/mongo.ts';
import type { AddressStateModel } from './address-state.model.ts';
import { NO_ERASED_ADDRESSES, type ErasedAddresses, type Erasure } from './erased-addresses.ts';
import { CONSENT_SOURCES, SUPPRESSION_KINDS, TYPE_STATES, emptyState, type AddressState } from './types.ts';

/** Rows leaving the database are parsed, so a corrupted document fails loudly instead of allowing a send. */
const stateDocSchema = z.object({
  address: z.string(),
  optedOutOfAll: z.boolean(),
  subscriptions: z.record(z.string(), z.enum(TYPE_STATES)),
  suppression: z
    .object({ kind: z.enum(SUPPRESSION_KINDS), at: z.date(), source: z.enum(CONSENT_SOURCES), detail: z.string().optional() })
    .nullish(),
  updatedAt: z.date(),
  version: z.number().int().min(1),
  erased: z.boolean().nullish(),
});

const corrupt = (cause?: unknown): AppError => new AppError('corrupt_state', 'A stored address state is not readable', { cause });

function toState(doc: unknown): AddressState {
  const parsed = stateDocSchema.safeParse(doc);
  if (!parsed.success) throw corrupt(parsed.error);
  const { suppression, erased, ...rest } = parsed.data;
  return { ...rest, suppression: suppression ?? undefined, ...(erased ? { erased: true as const } : {}) };
}

/**
 * An erased address without a state document reads from its erasure record: erased, and with the
 * record's suppression as its own, so the policy treats it exactly like a state's (a hard bounce
 * blocks every kind). Pure.
 */
export function erasedState(address: string, erasure: Pick<Erasure, 'suppression'>): AddressState {
  const s = erasure.suppression;
  const suppression = s ? { kind: s.kind, at: s.at, source: s.source, ...(s.statusCode ? { detail: s.statusCode } : {}) } : undefined;
  return { ...emptyState(address), suppression, erased: true };
}

export interface AddressStateReaderDeps {
  states: AddressStateModel;
  /** Asked only for addresses without a state document (see below); NO_ERASED_ADDRESSES if left out. */
  erased?: ErasedAddresses;
  /** How getMany reads (the composition root asks the server); `batched` by default. */
  readShape?: ReadShape;
}

/**
 * Reads address states (by _id = normalized address); a never-seen address reads as emptyState.
 * An erased address has no state document either: so the erasure records are asked only about
 * the addresses without one, and a document present is erased only if it carries the mark (every
 * write to an erased address carries it over: erasure-rule.ts). A failed erasure lookup fails the
 * read, so the send-time check retries instead of taking an erased address for a new one.
 */
export class AddressStateReader {
  private readonly erased: ErasedAddresses;
  private readonly collection: mongo.Collection<{ _id: string; address?: unknown }>;

  constructor(private readonly deps: AddressStateReaderDeps) {
    this.erased = deps.erased ?? NO_ERASED_ADDRESSES;
    this.collection = deps.states.collection as unknown as mongo.Collection<{ _id: string; address?: unknown }>;
  }

  async get(address: string): Promise<AddressState> {
    const doc = await this.deps.states.findOne({ _id: address }).lean();
    if (doc) return toState(doc);
    const erasure = (await this.erased.erasureOf([address])).get(address);
    return erasure ? erasedState(address, erasure) : emptyState(address);
  }

  async getMany(addresses: string[]): Promise<Map<string, AddressState>> {
    return (await this.read(addresses)).states;
  }

  /** The erasure records of those of these addresses that were erased and have no state document (one read of each kind for the batch). */
  async erasuresWithoutState(addresses: string[]): Promise<Map<string, Erasure>> {
    return (await this.read(addresses)).erasures;
  }

  private async read(addresses: string[]): Promise<{ states: Map<string, AddressState>; erasures: Map<string, Erasure> }> {
    const unique = [...new Set(addresses)];
    const result = new Map<string, AddressState>();
    if (unique.length === 0) return { states: result, erasures: new Map() };
    // The send path's read: the driver's collection, not a mongoose query (no casting per call).
    // One $in for the batch on MongoDB; parallel finds by _id on FerretDB (see docs/ferretdb.md).
    const docs = await findByIds(this.collection, unique, this.deps.readShape ?? 'batched');
    for (const doc of docs) {
      // Keyed by what was asked for (_id). A document whose address disagrees with its _id would
      // otherwise answer for another address and leave the asked one reading as never-seen.
      if (doc._id !== doc.address) throw corrupt();
      result.set(doc._id, toState(doc));
    }
    const missing = unique.filter((address) => !result.has(address));
    const erasures = missing.length > 0 ? await this.erased.erasureOf(missing) : new Map<string, Erasure>();
    for (const address of missing) {
      const erasure = erasures.get(address);
      result.set(address, erasure ? erasedState(address, erasure) : emptyState(address));
    }
    return { states: result, erasures };
  }

  /** Every stored address state, streamed in address order. */
  async *streamStates(): AsyncGenerator<AddressState> {
    const cursor = this.deps.states.find({}).sort({ _id: 1 }).lean().cursor({ batchSize: 1000 }); // _id = address: the built-in index serves the order
    try {
      for await (const doc of cursor) yield toState(doc);
    } finally {
      await cursor.close();
    }
  }
}
