import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/**
 * A connection to Redis as mailgate uses it: one server or a Sentinel-named primary (`Redis`), or a
 * Redis Cluster (`Cluster`). Both take the same commands; BullMQ accepts both.
 */
export type RedisClient = Redis | Cluster;

/**
 * The part of a key Redis Cluster hashes to pick its slot: the text inside the first `{…}` when it
 * is not empty, else the whole key. Keys with the same tag share a slot.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/**
 * One round trip per group of keys that share a hash tag: ioredis refuses a cluster pipeline whose
 * keys are in several slots, so on a cluster the commands go in one pipeline per tag (in parallel);
 * on one server they all go in one pipeline, as before. `add` queues the commands of one key.
 * Answers the keys of the groups that failed (a command error or a lost connection), and an error.
 */
export async function pipelineByTag(redis: RedisClient, keys: Iterable<string>, add: (pipeline: ChainableCommander, key: string) => void): Promise<{ failedKeys: string[]; error?: Error }> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const group = redis.isCluster ? hashTagOf(key) : '';
    const list = groups.get(group) ?? [];
    list.push(key);
    groups.set(group, list);
  }
  const failedKeys: string[] = [];
  let error: Error | undefined;
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const pipeline = redis.pipeline();
      for (const key of group) add(pipeline, key);
      const failed = await pipeline.exec().then(
        (results) => (results ?? []).find(([err]) => err)?.[0] ?? undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      );
      if (!failed) return;
      failedKeys.push(...group);
      error ??= failed;
    }),
  );
  return { failedKeys, ...(error ? { error } : {}) };
}
