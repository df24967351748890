import { createHash, timingSafeEqual } from 'node:crypto';
import type { VerifyRefusal } from './verify-result.ts';

export interface BasicAuthRefusal extends VerifyRefusal {
  status: 401;
  /** The `WWW-Authenticate` header value the route sends with the 401. */
  wwwAuthenticate: string;
}

export type BasicAuthResult = { ok: true; user: string } | BasicAuthRefusal;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * HTTP basic auth as Postmark sends it (credentials in the webhook URL, docs/feedback.md).
 * Both sides are hashed before the constant-time compare, so neither the password nor its
 * length leaks through timing.
 */
export function verifyBasicAuth(header: string | undefined, expected: string, realm = 'mailgate feedback'): BasicAuthResult {
  const wwwAuthenticate = `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"`;
  const refusal = (code: string, reason: string): BasicAuthRefusal => ({ ok: false, status: 401, code, reason, wwwAuthenticate });
  const match = header === undefined ? null : /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (match === null) return refusal('basic_auth_required', 'basic credentials are required');
  const given = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  if (!timingSafeEqual(digest(given), digest(expected))) return refusal('basic_auth_invalid', 'the credentials are wrong');
  const colon = given.indexOf(':');
  return { ok: true, user: colon < 0 ? given : given.slice(0, colon) };
}
