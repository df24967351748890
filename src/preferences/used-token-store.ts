import { isDuplicateKey } from '../shared/mongo-errors.ts';
import { CONFIRM_TOKEN_TTL_S } from './tokens.ts';
import type { UsedTokenModel } from './used-token.model.ts';

/**
 * Spent confirmation nonces: what makes a re-subscribe link work once. Spending inserts the nonce
 * under a unique index, so of two concurrent confirmations exactly one succeeds.
 */
export class UsedTokenStore {
  private readonly model: UsedTokenModel;

  constructor(deps: { model: UsedTokenModel }) {
    this.model = deps.model;
  }

  async isSpent(nonce: string): Promise<boolean> {
    return (await this.model.exists({ nonce })) !== null;
  }

  /** True if this call spent the nonce; false if it had been spent already. */
  async spend(nonce: string): Promise<boolean> {
    try {
      await this.model.create({ nonce, usedAt: new Date() });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  /** Un-spends a nonce whose change failed, so the link works again; best effort. */
  async giveBack(nonce: string): Promise<void> {
    await this.model.deleteOne({ nonce }).catch(() => undefined);
  }

  /** Indexes, and a purge of nonces spent before `before` (no TTL index: see docs/ferretdb.md). */
  async prepare(before: Date): Promise<void> {
    await this.model.createIndexes();
    await this.model.deleteMany({ usedAt: { $lt: before } });
  }
}

/** At start-up (api role): the indexes, and a purge of nonces of links that have expired anyway. */
export async function prepareUsedTokens(usedTokens: UsedTokenModel): Promise<void> {
  await new UsedTokenStore({ model: usedTokens }).prepare(new Date(Date.now() - 2 * CONFIRM_TOKEN_TTL_S * 1000));
}
