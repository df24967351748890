import session, { type SessionData } from 'express-session';
import type { RedisClient } from '../shared/redis-client.ts';

/** How long a session lives when its cookie has no maxAge. */
const DEFAULT_TTL_MS = 8 * 3600_000;

type Callback = (err?: unknown) => void;

/**
 * express-session's store on the app's ioredis client: one key per session under
 * `${prefix}:console-session:`, expiring with the cookie (Redis TTL), so signed-out and abandoned
 * sessions clean themselves up. A Redis failure reaches express-session as an error (the request
 * fails with 5xx; nobody is signed in by accident).
 */
export class RedisSessionStore extends session.Store {
  private readonly redis: RedisClient;
  private readonly keyPrefix: string;

  constructor(deps: { redis: RedisClient; prefix: string }) {
    super();
    this.redis = deps.redis;
    this.keyPrefix = `${deps.prefix}:console-session:`;
  }

  private key(sid: string): string {
    return this.keyPrefix + sid;
  }

  private ttlMs(sess: SessionData): number {
    const maxAge = sess.cookie?.maxAge;
    return typeof maxAge === 'number' && maxAge > 0 ? Math.ceil(maxAge) : DEFAULT_TTL_MS;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.redis.get(this.key(sid)).then(
      (text) => {
        if (text === null) return callback(null, null);
        try {
          callback(null, JSON.parse(text) as SessionData);
        } catch {
          callback(null, null); // an unreadable entry is no session
        }
      },
      (err: unknown) => callback(err),
    );
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    this.redis.set(this.key(sid), JSON.stringify(sess), 'PX', this.ttlMs(sess)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.redis.del(this.key(sid)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override touch(sid: string, sess: SessionData, callback?: Callback): void {
    this.redis.pexpire(this.key(sid), this.ttlMs(sess)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }
}
