import { expect, it } from 'vitest';
import { MicroBatcher } from '../../src/shared/micro-batcher.ts';

it('hands concurrent calls to one run, in order, and gathers the next batch while one runs', async () => {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const batcher = new MicroBatcher<number, number>({
    maxWaitMs: 1,
    run: async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => i * 10);
    },
  });
  const first = [1, 2, 3].map((i) => batcher.submit(i));
  await new Promise((r) => setTimeout(r, 5));
  const second = [4, 5].map((i) => batcher.submit(i));
  await new Promise((r) => setTimeout(r, 5));
  expect(batches).toEqual([[1, 2, 3]]); // the second batch waits for the first (group commit)
  release();
  expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
  expect(batches).toEqual([[1, 2, 3], [4, 5]]);
});

it('fails every item of a failed batch, flushes at maxBatch, and keeps working after a failure', async () => {
  let calls = 0;
  const batcher = new MicroBatcher<number, number>({
    maxBatch: 2,
    maxWaitMs: 50,
    run: async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('database away');
      return items;
    },
  });
  const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
  expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(await Promise.all([batcher.submit(3), batcher.submit(4)])).toEqual([3, 4]);
});
