// Redis Cluster (#25): the app on a real cluster, and every multi-key command it sends in one slot.
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { enqueueAll, receivedIds, sampleData } from '../faults/drill-helpers.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('on a Redis Cluster (three masters, one replica each)', () => {
  let cluster: RedisCluster;

  it('sends both streams, each queue in the slot of its own hash tag', { timeout: 120_000 }, async () => {
    cluster = await startRedisCluster();
    cleanups.push(() => cluster.stop());
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = testConfig('cluster', { SMTP_URL: sink.url, REDIS_CLUSTER_NODES: cluster.nodeList });
    expect(config.redis.kind).toBe('cluster');
    const app = await startTestApp(config);
    cleanups.push(() => app.stop());

    const welcome = await sampleData(app.url!, 'welcome');
    const news = await sampleData(app.url!, 'newsletter');
    const ids = await enqueueAll(app.url!, [
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'transactional' as const, to: `tx-${i}@example.com`, template: 'welcome', data: welcome })),
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'marketing' as const, to: `mk-${i}@example.com`, template: 'newsletter', subscriptionType: 'newsletter', data: news })),
    ]);
    await eventually(() => ids.every((id) => receivedIds(sink).includes(id)) || undefined, 60_000);

    // The queues' keys carry their tag: `<prefix>:{send-marketing}:…`, each queue's on one master.
    const reader = new Cluster(cluster.nodeList.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
    cleanups.push(async () => reader.disconnect());
    await new Promise((resolve) => reader.once('ready', resolve));
    const keys: string[] = [];
    for (const node of reader.nodes('master')) keys.push(...(await node.keys(`${config.queuePrefix}:*`)));
    expect(keys.some((k) => k.startsWith(`${config.queuePrefix}:{send-marketing}:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${config.queuePrefix}:{send-transactional}:`))).toBe(true);
    expect(keys.filter((k) => /:send-[a-z]+:/.test(k))).toEqual([]);
  });
});
