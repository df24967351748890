import { createHmac } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { isDuplicateKey } from '../shared/mongo-errors.ts';
import type { ErasedAddresses } from '../subscriptions/index.ts';
import { erasedAddressModel, type ErasedAddressDoc, type ErasedAddressModel } from './erased-address.model.ts';

export interface ErasedAddressRepositoryDeps {
  db: Connection;
  /** MAILGATE_SECRET, current first (config.secrets): new records use it, lookups try every one. */
  secrets: readonly string[];
}

/** Keeps this MAC apart from any other use of the same secret. */
const PURPOSE = 'mailgate:erased-address:v1:';

/**
 * The erasure records, keyed by HMAC of the normalized address (erased-address.model.ts). During a
 * secret rotation a record made with an older secret still matches, and is re-keyed to the current
 * secret when it is found, so that retiring the old secret later does not lose it.
 */
export class ErasedAddressRepository implements ErasedAddresses {
  readonly model: ErasedAddressModel;
  private readonly col: mongo.Collection<ErasedAddressDoc>;

  constructor(private readonly deps: ErasedAddressRepositoryDeps) {
    if (deps.secrets.length === 0) throw new Error('ErasedAddressRepository needs at least one secret');
    this.model = erasedAddressModel(deps.db);
    this.col = this.model.collection as unknown as mongo.Collection<ErasedAddressDoc>;
  }

  /** The record keys of an address, one per configured secret, the current one first. */
  keysOf(address: string): string[] {
    return this.deps.secrets.map((secret) => createHmac('sha256', secret).update(PURPOSE + address).digest('hex'));
  }

  /** One `$in` for the whole batch (the collection holds only erasures, and no addresses). */
  async erasedAmong(addresses: string[]): Promise<Set<string>> {
    const byKey = new Map<string, string>();
    for (const address of new Set(addresses)) for (const key of this.keysOf(address)) byKey.set(key, address);
    const erased = new Set<string>();
    if (byKey.size === 0) return erased;
    const found = await this.col.find({ _id: { $in: [...byKey.keys()] } }).toArray();
    for (const doc of found) {
      const address = byKey.get(doc._id)!;
      erased.add(address);
      await this.rekey(address, doc);
    }
    return erased;
  }

  /** The erasure record of an address, or null. */
  async find(address: string): Promise<ErasedAddressDoc | null> {
    const found = await this.col.find({ _id: { $in: this.keysOf(address) } }).toArray();
    const doc = found[0];
    if (!doc) return null;
    return this.rekey(address, doc);
  }

  /** Records the erasure (now), or finds the one made before: a retried erasure keeps its first time. */
  async record(address: string, at: Date): Promise<ErasedAddressDoc> {
    const existing = await this.find(address);
    if (existing) return existing;
    const doc: ErasedAddressDoc = { _id: this.keysOf(address)[0]!, erasedAt: at };
    try {
      await this.col.insertOne(doc);
      return doc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return (await this.find(address)) ?? doc; // a concurrent erasure of the same address won
    }
  }

  /** Deletes the record under every secret (the person's own confirmed re-subscribe). */
  async lift(address: string): Promise<void> {
    await this.col.deleteMany({ _id: { $in: this.keysOf(address) } });
  }

  /** A record found under an older secret moves to the current one (insert first: it is never missing meanwhile). */
  private async rekey(address: string, doc: ErasedAddressDoc): Promise<ErasedAddressDoc> {
    const current = this.keysOf(address)[0]!;
    if (doc._id === current) return doc;
    try {
      await this.col.insertOne({ _id: current, erasedAt: doc.erasedAt });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await this.col.deleteOne({ _id: doc._id });
    return { _id: current, erasedAt: doc.erasedAt };
  }
}
