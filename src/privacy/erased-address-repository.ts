import type { Connection, mongo } from 'mongoose';
import { AppError } from '../shared/errors.ts';
import { isDuplicateKey } from '../shared/mongo-errors.ts';
import type { ErasedAddresses, Erasure, ErasureSuppression, SuppressionKind } from '../subscriptions/index.ts';
import { erasedAddressDocSchema, erasedAddressModel, KEYED_WITH_ERASURE_KEY, type ErasedAddressDoc, type ErasedAddressModel } from './erased-address.model.ts';
import { ErasureKeys } from './erasure-keys.ts';

export interface ErasedAddressRepositoryDeps {
  db: Connection;
  /** MAILGATE_ERASURE_KEY: every record is keyed with it, and it is never rotated (erasure-keys.ts). */
  erasureKey: string;
  /** MAILGATE_SECRET, every configured one: records made before the erasure key still match under any of them. */
  legacySecrets: readonly string[];
}

const parse = (doc: unknown): ErasedAddressDoc => {
  const parsed = erasedAddressDocSchema.safeParse(doc);
  if (!parsed.success) throw new AppError('corrupt_erasure', 'A stored erasure record is not readable', { cause: parsed.error });
  return parsed.data as ErasedAddressDoc;
};

const toErasure = (doc: ErasedAddressDoc): Erasure => ({ key: doc._id, erasedAt: doc.erasedAt, ...(doc.suppression ? { suppression: doc.suppression } : {}) });

/**
 * The erasure records, keyed by a MAC of the normalized address under the erasure key
 * (erasure-keys.ts). A record made before the erasure key (keyed with a MAILGATE_SECRET) still
 * matches under every configured secret, and moves to the erasure key when it is found — by any
 * lookup, or by the explicit migration (migrate-erasure-keys.ts) — so that retiring that secret
 * later does not lose it.
 */
export class ErasedAddressRepository implements ErasedAddresses {
  readonly model: ErasedAddressModel;
  private readonly col: mongo.Collection<ErasedAddressDoc>;
  private readonly keys: ErasureKeys;

  constructor(deps: ErasedAddressRepositoryDeps) {
    this.model = erasedAddressModel(deps.db);
    this.col = this.model.collection as unknown as mongo.Collection<ErasedAddressDoc>;
    this.keys = new ErasureKeys(deps.erasureKey, deps.legacySecrets);
  }

  /** One `$in` for the whole batch (the collection holds only erasures, and no addresses). */
  async erasureOf(addresses: string[]): Promise<Map<string, Erasure>> {
    return (await this.lookup(addresses)).found;
  }

  /** Looks these addresses up, which moves their records keyed the old way to the erasure key. Returns how many moved. */
  async migrate(addresses: string[]): Promise<number> {
    return (await this.lookup(addresses)).moved;
  }

  /** The erasure record of an address, or undefined. */
  async find(address: string): Promise<Erasure | undefined> {
    return (await this.lookup([address])).found.get(address);
  }

  /** Records the erasure (now), or finds the one made before: a retried erasure keeps its first time. */
  async record(address: string, at: Date): Promise<Erasure> {
    const existing = await this.find(address);
    if (existing) return existing;
    const doc: ErasedAddressDoc = { _id: this.keys.idOf(address), erasedAt: at, keyed: KEYED_WITH_ERASURE_KEY };
    try {
      await this.col.insertOne(doc);
      return toErasure(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return (await this.find(address)) ?? toErasure(doc); // a concurrent erasure of the same address won
    }
  }

  async suppress(key: string, suppression: ErasureSuppression, replaceable: readonly SuppressionKind[]): Promise<boolean> {
    // One conditional write (no transactions: see docs/ferretdb.md), so two racing suppressions cannot both win against the rule.
    const { matchedCount } = await this.col.updateOne(
      { _id: key, $or: [{ suppression: { $exists: false } }, { 'suppression.kind': { $in: [...replaceable] } }] },
      { $set: { suppression } },
    );
    return matchedCount === 1;
  }

  /** Deletes the record under every key it may have (the person's own confirmed re-subscribe). */
  async lift(address: string): Promise<void> {
    for (const _id of [this.keys.idOf(address), ...this.keys.legacyIdsOf(address)]) await this.col.deleteOne({ _id });
  }

  /** How many records are still keyed the old way (with a MAILGATE_SECRET): the start-up log `privacy.legacy_erasure_records`. */
  legacyCount(): Promise<number> {
    return this.col.countDocuments({ keyed: { $ne: KEYED_WITH_ERASURE_KEY } });
  }

  private async lookup(addresses: string[]): Promise<{ found: Map<string, Erasure>; moved: number }> {
    const owner = new Map<string, string>();
    for (const address of new Set(addresses)) for (const id of [this.keys.idOf(address), ...this.keys.legacyIdsOf(address)]) owner.set(id, address);
    const found = new Map<string, Erasure>();
    if (owner.size === 0) return { found, moved: 0 };
    const byAddress = new Map<string, ErasedAddressDoc[]>();
    for (const doc of await this.col.find({ _id: { $in: [...owner.keys()] } }).toArray()) {
      const address = owner.get(doc._id)!;
      byAddress.set(address, [...(byAddress.get(address) ?? []), parse(doc)]);
    }
    let moved = 0;
    for (const [address, docs] of byAddress) {
      const id = this.keys.idOf(address);
      const current = docs.find((d) => d._id === id);
      const legacy = docs.filter((d) => d._id !== id);
      if (legacy.length > 0) moved++;
      found.set(address, toErasure(current ?? (await this.moveToErasureKey(id, legacy))));
      // Insert first, then delete: the record is never missing meanwhile; a crash in between leaves both, and the next lookup deletes the old one.
      for (const { _id } of legacy) await this.col.deleteOne({ _id });
    }
    return { found, moved };
  }

  /** A record keyed the old way, re-made under the erasure key with its first time (the earliest, if two secrets each keyed one). */
  private async moveToErasureKey(id: string, legacy: ErasedAddressDoc[]): Promise<ErasedAddressDoc> {
    const first = legacy.reduce((a, b) => (b.erasedAt < a.erasedAt ? b : a));
    const doc: ErasedAddressDoc = { _id: id, erasedAt: first.erasedAt, keyed: KEYED_WITH_ERASURE_KEY, ...(first.suppression ? { suppression: first.suppression } : {}) };
    try {
      await this.col.insertOne(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a concurrent lookup moved it already
    }
    return doc;
  }
}
