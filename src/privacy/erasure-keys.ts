import { createHmac, hkdfSync } from 'node:crypto';

/**
 * HKDF's `info` (RFC 5869 §3.2): binds the derived key to this one use, so MAILGATE_ERASURE_KEY
 * could key anything else later under another info without the two ever meeting. Changing it
 * orphans every record: it is part of the stored format, like the key itself.
 */
const INFO = 'mailgate erased-address record id v2';
/** Records made before the erasure key: HMAC-SHA256(a MAILGATE_SECRET, this + address). */
const LEGACY_PURPOSE = 'mailgate:erased-address:v1:';

/**
 * The keys of erasure records (erased-address.model.ts). A record's `_id` is HMAC-SHA256 of the
 * normalized address under a key that HKDF-SHA256 derives from MAILGATE_ERASURE_KEY (node:crypto
 * composes both): a MAC, never a plain hash, so a list of addresses cannot be hashed to find who was
 * erased without the key. That key is never rotated: rotating it would need every erased address to
 * compute the new ids, and mailgate keeps none (README, "The erasure key").
 */
export class ErasureKeys {
  private readonly macKey: Buffer;

  constructor(
    erasureKey: string,
    /** MAILGATE_SECRET, every configured one: the keys of records made before the erasure key. */
    private readonly legacySecrets: readonly string[],
  ) {
    this.macKey = Buffer.from(hkdfSync('sha256', erasureKey, Buffer.alloc(0), INFO, 32));
  }

  /** The record id of an address under the erasure key. */
  idOf(address: string): string {
    return createHmac('sha256', this.macKey).update(address).digest('hex');
  }

  /** The ids a record made before the erasure key may have: one per configured MAILGATE_SECRET. */
  legacyIdsOf(address: string): string[] {
    return this.legacySecrets.map((secret) => createHmac('sha256', secret).update(LEGACY_PURPOSE + address).digest('hex'));
  }
}
