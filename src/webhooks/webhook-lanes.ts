import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WebhookDeliveryDoc } from './webhook-delivery.model.ts';

type LaneMember = Pick<WebhookDeliveryDoc, '_id' | 'endpointId' | 'address' | 'seq'>;

/**
 * The order of deliveries per (endpoint, address): a Redis sorted set of delivery ids scored by
 * their sequence number. Only the head may be attempted; it leaves the lane once delivered or
 * finally failed. Every member's seq is also stored in MongoDB, so a lost lane is rebuilt by
 * adding members back (ZADD NX). The address is hashed: keys are listed by tools and logs.
 */
export class WebhookLanes {
  constructor(private readonly deps: { redis: Redis; prefix: string }) {}

  private key(d: Pick<LaneMember, 'endpointId' | 'address'>): string {
    const hash = createHash('sha256').update(d.address).digest('base64url').slice(0, 22);
    return `${this.deps.prefix}:webhook-lane:${d.endpointId}:${hash}`;
  }

  async add(d: LaneMember): Promise<void> {
    await this.addMany([d]);
  }

  /** One round trip for many members (a pipeline); ZADD NX keeps a member's place if it is there already. */
  async addMany(members: readonly LaneMember[]): Promise<void> {
    if (members.length === 0) return;
    const pipeline = this.deps.redis.pipeline();
    for (const d of members) pipeline.zadd(this.key(d), 'NX', d.seq, d._id);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  /** The delivery id at the head of d's lane, or undefined when the lane is empty. */
  async head(d: Pick<LaneMember, 'endpointId' | 'address'>): Promise<string | undefined> {
    const [first] = await this.deps.redis.zrange(this.key(d), 0, 0);
    return first;
  }

  /** Removes `id` (default: d itself) from d's lane. */
  async remove(d: Pick<LaneMember, '_id' | 'endpointId' | 'address'>, id: string = d._id): Promise<void> {
    await this.deps.redis.zrem(this.key(d), id);
  }
}
