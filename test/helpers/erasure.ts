import { createHmac, hkdfSync } from 'node:crypto';
import type { Connection } from 'mongoose';
import { TEST_ERASURE_KEY } from './env.ts';

/**
 * An erasure record's id, computed here independently of src/privacy/erasure-keys.ts: HMAC-SHA256
 * of the address under the key HKDF-SHA256 derives from MAILGATE_ERASURE_KEY. Pins the stored
 * format: a change to it would orphan every record.
 */
export function erasureId(address: string, erasureKey = TEST_ERASURE_KEY): string {
  const key = Buffer.from(hkdfSync('sha256', erasureKey, Buffer.alloc(0), 'mailgate erased-address record id v2', 32));
  return createHmac('sha256', key).update(address).digest('hex');
}

/** The id a record had before the erasure key: HMAC-SHA256 with a MAILGATE_SECRET. */
export function legacyErasureId(address: string, secret: string): string {
  return createHmac('sha256', secret).update(`mailgate:erased-address:v1:${address}`).digest('hex');
}

/** The collections holding a document that mentions the address anywhere (the whole document as JSON, lower-cased), sorted. */
export async function mentions(db: Connection, address: string): Promise<string[]> {
  const found = new Set<string>();
  for (const { name } of await db.db!.listCollections().toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) if (JSON.stringify(doc).toLowerCase().includes(address.toLowerCase())) found.add(name);
  }
  return [...found].sort();
}
