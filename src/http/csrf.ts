import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 18;
export const CSRF_TTL_S = 24 * 3600;

/**
 * Stateless CSRF tokens for mailgate's forms: `<issued-at>.<HMAC(scope | issued-at)>`.
 * The scope binds a form token to what the page was served for (on a recipient page the
 * preference or confirmation token in its URL, or the visitor's form cookie; in the console the
 * session or the sign-in nonce), so a token taken from one page is useless on another. Keys
 * derive from MAILGATE_SECRET; every configured secret verifies (rotation).
 */
export class CsrfGuard {
  private readonly keys: Buffer[];
  private readonly now: () => number;
  private readonly ttlSeconds: number;

  constructor(deps: { secrets: string[]; now?: () => number; ttlSeconds?: number }) {
    this.keys = deps.secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'mailgate-csrf', 'form', 32)));
    this.now = deps.now ?? Date.now;
    this.ttlSeconds = deps.ttlSeconds ?? CSRF_TTL_S;
  }

  issue(scope: string): string {
    const issuedAt = Math.floor(this.now() / 1000).toString(36);
    return `${issuedAt}.${this.mac(this.keys[0]!, scope, issuedAt).toString('base64url')}`;
  }

  verify(token: unknown, scope: string): boolean {
    if (typeof token !== 'string' || token.length > 64) return false;
    const match = /^([0-9a-z]{1,10})\.([A-Za-z0-9_-]{24})$/.exec(token);
    if (!match) return false;
    const [, issuedAt = '', macText = ''] = match;
    const age = Math.floor(this.now() / 1000) - parseInt(issuedAt, 36);
    if (!(age >= -60 && age <= this.ttlSeconds)) return false;
    const mac = Buffer.from(macText, 'base64url');
    if (mac.length !== MAC_BYTES) return false;
    return this.keys.some((key) => timingSafeEqual(this.mac(key, scope, issuedAt), mac));
  }

  private mac(key: Buffer, scope: string, issuedAt: string): Buffer {
    return createHmac('sha256', key).update(`${scope}\n${issuedAt}`).digest().subarray(0, MAC_BYTES);
  }
}
