import { createHash } from 'node:crypto';
import { unavailable } from '../../shared/errors.ts';
import type { RedisClient } from '../../shared/redis-client.ts';

/**
 * Remembers one-time tokens so a captured, validly signed request cannot be delivered twice.
 * `claim` answers true exactly once per token within `ttlMs`, across every process sharing the store.
 */
export interface TokenReplayGuard {
  claim(token: string, ttlMs: number): Promise<boolean>;
  /** Forgets a claim, for when the request could not be processed and the provider will retry it. */
  release(token: string): Promise<void>;
}

export interface RedisReplayGuardDeps {
  redis: RedisClient;
  /** Keeps these keys apart from everything else in the same Redis, e.g. `mailgate:mailgun-token:`. */
  prefix: string;
}

export class RedisReplayGuard implements TokenReplayGuard {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(deps: RedisReplayGuardDeps) {
    this.redis = deps.redis;
    this.prefix = deps.prefix;
  }

  async claim(token: string, ttlMs: number): Promise<boolean> {
    // SET NX is atomic: of two concurrent deliveries exactly one gets "OK".
    try {
      const reply = await this.redis.set(this.key(token), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return reply === 'OK';
    } catch (err) {
      // Redis away (an outage, a failover): 503, so the relay retries; anything else would be a 500.
      throw unavailable('service_unavailable', 'Feedback could not be checked; try again', err);
    }
  }

  async release(token: string): Promise<void> {
    await this.redis.del(this.key(token));
  }

  /** Hashed so keys have a fixed length and tokens are not readable from Redis. */
  private key(token: string): string {
    return this.prefix + createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
