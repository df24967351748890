// Drill (docs/rules.md §15, #25): Redis behind Sentinel. A primary, one replica and three sentinels,
// real redis-server processes on loopback; the app names only the sentinels (REDIS_SENTINELS,
// REDIS_SENTINEL_NAME). 2,000 messages send; the primary is SIGKILLed while they do, with the last
// writes (50 messages enqueued, 5 relay events accepted) held back from the replica, so their jobs
// are lost; the sentinels promote the replica. The run, its assertions and figures: failover-drill.ts.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { stopProcess } from '../helpers/processes.ts';
import { runFailoverDrill } from './failover-drill.ts';
import { killNode, startSentinelTopology, type ReplicationLink } from './redis-topologies.ts';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
let link: ReplicationLink | undefined;
afterAll(async () => {
  await link?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const child of children) await stopProcess(child, 'SIGKILL');
}, 120_000);

describe('drill: Redis behind Sentinel', () => {
  it('loses the primary while 2,000 messages send: nothing lost, duplicates only of mail in flight, feedback and webhook events kept', { timeout: 180_000 }, async () => {
    const topology = await startSentinelTopology(children);
    link = topology.link;
    const figures = await runFailoverDrill(
      {
        label: 'sentinel',
        env: { REDIS_SENTINELS: topology.sentinels.map((p) => `127.0.0.1:${p}`).join(','), REDIS_SENTINEL_NAME: topology.name },
        // The replica lags: what the app writes last reaches only the primary, which then dies.
        async kill(_config, lastWrites) {
          topology.link.freeze();
          await lastWrites();
          await killNode(topology.primary);
          topology.link.cut();
        },
        // the sentinels promoted the replica, and the app followed them
        afterRecovery: async () => expect(await topology.currentPrimaryPort()).toBe(topology.replica.port),
      },
      cleanups,
    );
    expect(figures.lost).toBe(0);
    // ioredis fails fast while no primary is named: the API answers 503 until the replica is promoted.
    expect(figures.answers.filter((a) => a.path === 'messages').map((a) => a.status)).toContain(503);
  });
});
