import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The keyed tag that binds bounce and complaint mail to a message mailgate sent (docs/feedback.md,
 * "who is believed about whom"). Mail to the inbound listener is not authenticated: anyone can
 * write a DSN naming `bounces+<id>@BOUNCE_DOMAIN`, and message ids (ObjectIds) are guessable. So
 * the envelope sender is `bounces+<id>.<tag>@BOUNCE_DOMAIN` and the Message-ID `<id.tag@domain>`,
 * where the tag is a truncated HMAC-SHA256 of the id under a key derived for this purpose alone
 * from MAILGATE_SECRET (HKDF). Only mail that went out carries a tag that verifies.
 *
 * Hex, because MTAs may change the case of a whole address; 16 hex digits (64 bits), because a
 * guess costs the attacker one SMTP transaction and gets 550.
 */
export const TAG_LENGTH = 16;
const INFO = 'mailgate:message-tag:v1';
const ID = /^[0-9a-f]{24}$/;
const TAG = /^[0-9a-f]{16}$/;

/** A message named by a VERP address or a Message-ID: our id, and its tag when the reference carries one. */
export interface MessageTagRef {
  id: string;
  tag?: string;
}

export class MessageTags {
  private readonly keys: Buffer[];

  /** `secrets`: MAILGATE_SECRET, current first. The first tags; every one verifies (rotation). */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('MessageTags needs at least one secret');
    this.keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32)));
  }

  tag(id: string): string {
    return tagUnder(this.keys[0]!, id);
  }

  /** Whether `tag` is the tag of `id` under any configured secret (constant time per key). */
  verify(ref: MessageTagRef): boolean {
    if (ref.tag === undefined || !TAG.test(ref.tag) || !ID.test(ref.id)) return false;
    const given = Buffer.from(ref.tag, 'latin1');
    return this.keys.some((key) => timingSafeEqual(Buffer.from(tagUnder(key, ref.id), 'latin1'), given));
  }
}

function tagUnder(key: Buffer, id: string): string {
  return createHmac('sha256', key).update(id).digest('hex').slice(0, TAG_LENGTH);
}

/** The envelope sender of a message: `bounces+<id>.<tag>@<bounceDomain>`. */
export function verpAddressOf(id: string, tag: string, bounceDomain: string): string {
  return `bounces+${id}.${tag}@${bounceDomain}`;
}

/** The Message-ID header of a message, with angle brackets: `<id.tag@domain>`. */
export function messageIdHeaderOf(id: string, tag: string, domain: string): string {
  return `<${id}.${tag}@${domain}>`;
}

/**
 * `<24 hex>` or `<24 hex>.<16 hex>` (the local part of both references) → the ref; anything else
 * → undefined. Case-insensitive: MTAs upper-case addresses.
 */
export function parseTaggedLocalPart(local: string): MessageTagRef | undefined {
  const lower = local.toLowerCase();
  if (lower.length === 24) return ID.test(lower) ? { id: lower } : undefined;
  if (lower.length !== 25 + TAG_LENGTH || lower[24] !== '.') return undefined;
  const id = lower.slice(0, 24);
  const tag = lower.slice(25);
  return ID.test(id) && TAG.test(tag) ? { id, tag } : undefined;
}
