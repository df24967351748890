// Drill (docs/rules.md §15, #25): Redis Cluster. Three masters with one replica each, real
// redis-server processes on loopback joined by `redis-cli --cluster create` (node timeout 2 s,
// test/helpers/redis-cluster.ts); the app names the nodes (REDIS_CLUSTER_NODES) and each queue is a
// hash tag, so it lives in one slot. 2,000 messages send; the master serving the transactional send
// queue's slot is SIGKILLed while they do; its replica takes the slot over. The run itself, its
// assertions and its figures are failover-drill.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { bullQueueName, sendQueueName } from '../../src/shared/queues.ts';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.ts';
import { runFailoverDrill } from './failover-drill.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
}, 120_000);

describe('drill: Redis Cluster', () => {
  it('loses the master of the send queue while 2,000 messages send: nothing lost, duplicates only of mail in flight, feedback and webhook events kept', { timeout: 180_000 }, async () => {
    const cluster: RedisCluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    cleanups.push(() => cluster.stop());
    let killed: number | undefined;
    let queueKey = '';
    await runFailoverDrill(
      {
        label: 'cluster',
        env: { REDIS_CLUSTER_NODES: cluster.nodeList },
        async kill(config, lastWrites) {
          await lastWrites();
          // The key of the transactional send queue's job hash: its hash tag picks the slot, CLUSTER SLOTS its master.
          queueKey = `${config.queuePrefix}:${bullQueueName(sendQueueName('transactional'), config)}:id`;
          killed = await cluster.masterOf(queueKey);
          await cluster.stopNode(killed, 'SIGKILL');
        },
        // a replica took the slot over: another node serves the queue now, and the cluster is whole again
        async afterRecovery() {
          await cluster.waitUntilOk();
          expect(await cluster.masterOf(queueKey)).not.toBe(killed);
          expect(await cluster.masters()).toHaveLength(3);
        },
      },
      cleanups,
    );
  });
});
