import type { AddressStateReader } from './address-state-reader.ts';
import type { ErasedAddresses, ErasureSuppression } from './erased-addresses.ts';
import { replaceableBy } from './suppress-address.ts';

export interface ErasureRestrictionsDeps {
  reader: Pick<AddressStateReader, 'erasuresWithoutState'>;
  erased: ErasedAddresses;
}

/**
 * Restricting feedback about an erased address (docs/rules.md §10): a bounce or a complaint still takes
 * effect, but without writing the address anywhere new — no state document, no consent event. It
 * goes on the erasure record, under the record's key, and the state reader hands it to the policy
 * as the address's suppression. Only for an erased address with no state document: one that has a
 * document (a change after the erasure, a race) is restricted on that document as before.
 */
export class ErasureRestrictions {
  constructor(private readonly deps: ErasureRestrictionsDeps) {}

  /**
   * Of these addresses, those erased that have no state document, each with the key of its erasure
   * record: one state read and one erasure lookup for the batch. Throws when it cannot tell, so a
   * caller never writes an erased address for want of an answer.
   */
  async erasedKeys(addresses: string[]): Promise<Map<string, string>> {
    const erasures = await this.deps.reader.erasuresWithoutState(addresses);
    return new Map([...erasures].map(([address, erasure]) => [address, erasure.key]));
  }

  /** Sets the suppression on the erasure record with this key, unless it holds one at least as strong. Whether it took effect. */
  suppress(key: string, suppression: ErasureSuppression): Promise<boolean> {
    return this.deps.erased.suppress(key, suppression, replaceableBy(suppression.kind));
  }
}
