import { createHash } from 'node:crypto';
import { pipelineByTag, type RedisClient } from '../shared/redis-client.ts';
import type { WebhookDeliveryDoc } from './webhook-delivery.model.ts';

type LaneMember = Pick<WebhookDeliveryDoc, '_id' | 'endpointId' | 'address' | 'seq'>;

/**
 * The order of deliveries per (endpoint, address): a Redis sorted set of delivery ids scored by
 * their sequence number. Only the head may be attempted; it leaves the lane once delivered or
 * finally failed. Every member's seq is also stored in MongoDB, so a lost lane is rebuilt by
 * adding members back (ZADD NX). The address is hashed: keys are listed by tools and logs.
 */
export class WebhookLanes {
  constructor(private readonly deps: { redis: RedisClient; prefix: string }) {}

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
    // Lanes are keys of their own, so on Redis Cluster one pipeline per lane (pipelineByTag).
    const byLane = new Map<string, LaneMember[]>();
    for (const d of members) byLane.set(this.key(d), [...(byLane.get(this.key(d)) ?? []), d]);
    const { error } = await pipelineByTag(this.deps.redis, byLane.keys(), (pipeline, key) => {
      for (const d of byLane.get(key) ?? []) pipeline.zadd(key, 'NX', d.seq, d._id);
    });
    if (error) throw error;
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
