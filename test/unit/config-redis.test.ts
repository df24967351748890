import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { bullQueueName } from '../../src/shared/queues.ts';
import { refusal } from '../helpers/config-refusal.ts';

describe('where Redis is, in the configuration (docs/rules.md §15)', () => {
  it('is the one server at REDIS_URL by default', () => {
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.5:6380/2' }).redis).toEqual({ kind: 'server', url: 'redis://10.0.0.5:6380/2' });
  });

  it('is the primary the sentinels name, with REDIS_DB’s database and the passwords', () => {
    const config = loadConfig({ REDIS_DB: '3', REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b.internal:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'mymaster', REDIS_PASSWORD: 'pw', REDIS_SENTINEL_PASSWORD: 'spw' });
    expect(config.redis).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-b.internal', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
      db: 3,
      password: 'pw',
      sentinelPassword: 'spw',
    });
  });

  it('refuses a bad list or a missing name in one line naming the variable', () => {
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1' })).toMatch(/^invalid configuration: REDIS_SENTINELS: "10\.0\.0\.1" is not host:port/);
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1:0' })).toMatch(/^invalid configuration: REDIS_SENTINELS: /);
    expect(refusal({ REDIS_SENTINELS: 'a b:26379' })).toMatch(/^invalid configuration: REDIS_SENTINELS: /);
    expect(refusal({ REDIS_SENTINELS: Array.from({ length: 17 }, (_, i) => `h${i}:26379`).join(',') })).toMatch(/^invalid configuration: REDIS_SENTINELS: names at most 16/);
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1:26379' })).toMatch(/^invalid configuration: REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS/);
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'bad name' })).toMatch(/^invalid configuration: REDIS_SENTINEL_NAME: /);
    expect(refusal({ REDIS_SENTINEL_NAME: 'mymaster' })).toBe('invalid configuration: REDIS_SENTINEL_NAME: is set without REDIS_SENTINELS');
    for (const line of [refusal({ REDIS_SENTINELS: 'x' }), refusal({ REDIS_SENTINEL_NAME: 'm' })]) expect(line).not.toContain('\n');
  });

  it('is a cluster at REDIS_CLUSTER_NODES, with REDIS_PASSWORD; Sentinels use database 0 unless REDIS_DB says', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001', REDIS_PASSWORD: 'pw' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b.internal', port: 7001 },
      ],
      password: 'pw',
    });
    expect(loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'm' }).redis).toMatchObject({ kind: 'sentinel', db: 0 });
    expect(loadConfig({ REDIS_URL: '', REDIS_CLUSTER_NODES: '10.0.0.1:7000' }).redis.kind).toBe('cluster'); // empty is unset
  });

  it('refuses REDIS_URL next to Sentinels or a cluster, both of those together, and a stray or bad REDIS_DB', () => {
    expect(refusal({ REDIS_URL: 'redis://10.0.0.5:6379', REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'm' })).toMatch(/^invalid configuration: REDIS_URL: is set together with REDIS_SENTINELS/);
    expect(refusal({ REDIS_URL: 'redis://10.0.0.5:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000' })).toMatch(/^invalid configuration: REDIS_URL: is set together with REDIS_CLUSTER_NODES/);
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: '10.0.0.1:7000' })).toMatch(/^invalid configuration: REDIS_CLUSTER_NODES: is set together with REDIS_SENTINELS/);
    expect(refusal({ REDIS_DB: '2' })).toMatch(/^invalid configuration: REDIS_DB: is set without REDIS_SENTINELS/);
    expect(refusal({ REDIS_DB: '2', REDIS_CLUSTER_NODES: '10.0.0.1:7000' })).toMatch(/^invalid configuration: REDIS_DB: /);
    expect(refusal({ REDIS_DB: '16', REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'm' })).toBe('invalid configuration: REDIS_DB: must be a whole number from 0 to 15');
    expect(refusal({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' })).toMatch(/^invalid configuration: REDIS_CLUSTER_NODES: "10\.0\.0\.2" is not host:port/);
    expect(refusal({ REDIS_CLUSTER_NODES: Array.from({ length: 17 }, (_, i) => `h${i}:7000`).join(',') })).toMatch(/^invalid configuration: REDIS_CLUSTER_NODES: names at most 16 nodes/);
  });
});

describe('queue names and QUEUE_PREFIX on Redis Cluster', () => {
  it('allows a prefix wrapped whole in a hash tag, and refuses braces anywhere else', () => {
    expect(loadConfig({ QUEUE_PREFIX: '{mailgate}' }).queuePrefix).toBe('{mailgate}');
    expect(loadConfig({ QUEUE_PREFIX: 'mail-gate_2' }).queuePrefix).toBe('mail-gate_2');
    for (const prefix of ['mail{gate}', '{mail}gate', '{}', '{mail', 'mail}', '{{mail}}']) {
      expect(refusal({ QUEUE_PREFIX: prefix })).toMatch(/^invalid configuration: QUEUE_PREFIX: braces only around the whole prefix/);
    }
    expect(refusal({ QUEUE_PREFIX: 'mail:gate' })).toBe('invalid configuration: QUEUE_PREFIX: letters, digits, - and _ only (or the whole prefix in braces, e.g. {mailgate})');
  });

  it('wraps each queue in its own hash tag on a cluster, unless the prefix is the tag; leaves them bare elsewhere', () => {
    const cluster = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000' });
    expect(bullQueueName('send-marketing', cluster)).toBe('{send-marketing}');
    expect(bullQueueName('webhooks', loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', QUEUE_PREFIX: '{mailgate}' }))).toBe('webhooks');
    expect(bullQueueName('send-marketing', loadConfig({}))).toBe('send-marketing');
    expect(bullQueueName('send-marketing', loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'm' }))).toBe('send-marketing');
  });
});
