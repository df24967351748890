// What a lookup by _id costs on the database as a collection grows: first-inserted vs last-inserted
// document, a miss, 25 misses as parallel finds vs one $in, an updateOne, a 1,000-document insertMany.
// Starts its own FerretDB (scripts/services.sh ferretdb-bin), or uses BENCH_MONGO_URL.
//   npx tsx bench/ferretdb-lookups.ts [sizes=1000,5000,20000]
import { MongoClient } from 'mongodb';
import { startOwnDatabase, type OwnDatabase } from '../test/helpers/ferretdb.ts';

const sizes = (process.argv[2] ?? '1000,5000,20000').split(',').map(Number);
let own: OwnDatabase | undefined;
const url = process.env.BENCH_MONGO_URL ?? (own = await startOwnDatabase('lookups')).url;
const client = await MongoClient.connect(url);
const col = client.db(`lookups_${Date.now()}`).collection<{ _id: string; v: number; pad: string }>('t');
const pad = 'x'.repeat(300);
const hex = (i: number) => i.toString(16).padStart(24, '0');
const ms = async (work: () => Promise<unknown>, reps: number) => {
  const started = performance.now();
  for (let i = 0; i < reps; i++) await work();
  return Number(((performance.now() - started) / reps).toFixed(1));
};
try {
  let n = 0;
  for (const size of sizes) {
    let insert = Number.NaN;
    while (n < size) {
      insert = await ms(() => col.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: hex(n + i), v: n + i, pad }))), 1);
      n += 1000;
    }
    const misses = Array.from({ length: 25 }, (_, i) => `miss${i}`);
    console.log(
      JSON.stringify({
        documents: size,
        insertMany_1000_ms: insert,
        find_first_ms: await ms(() => col.findOne({ _id: hex(0) }), 10),
        find_last_ms: await ms(() => col.findOne({ _id: hex(size - 1) }), 10),
        find_miss_ms: await ms(() => col.findOne({ _id: 'nope' }), 10),
        misses_25_parallel_ms: await ms(() => Promise.all(misses.map((id) => col.findOne({ _id: id }))), 3),
        in_25_misses_ms: await ms(() => col.find({ _id: { $in: misses } }).toArray(), 3),
        updateOne_last_ms: await ms(() => col.updateOne({ _id: hex(size - 1) }, { $set: { v: 1 } }), 3),
      }),
    );
  }
} finally {
  await col.drop().catch(() => undefined);
  await client.close();
  await own?.destroy();
}
