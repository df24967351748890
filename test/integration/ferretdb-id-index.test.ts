import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnDatabase, type OwnDatabase } from '../helpers/ferretdb.ts';

// The FerretDB that scripts/services.sh builds carries the idfix1 patch (see docs/ferretdb.md): a
// find by _id is an index search in SQLite, not a scan. FerretDB's explain runs SQLite's EXPLAIN
// QUERY PLAN, so the plan says which. If a FerretDB upgrade (or a build without the patch) undoes
// it, this fails: mailgate stays correct without it, but every send-path read becomes a scan.

let own: OwnDatabase;
let client: MongoClient;

beforeAll(async () => {
  own = await startOwnDatabase('idindex'); // the binary scripts/services.sh ferretdb-bin builds
  client = await MongoClient.connect(own.url);
}, 600_000); // a clean machine builds FerretDB first
afterAll(async () => {
  await client?.close();
  await own?.destroy();
});

describe('FerretDB as scripts/services.sh builds it', () => {
  it('answers a find by _id from the unique _id index, and the same documents as a scan', async () => {
    const col = client.db('idindex').collection<{ _id: string; n: number }>('docs');
    await col.insertMany(Array.from({ length: 500 }, (_, n) => ({ _id: `doc${n}`, n })));
    const explained = await client.db('idindex').command({ explain: { find: 'docs', filter: { _id: 'doc499' } } });
    const plan = JSON.stringify(explained.queryPlanner);
    expect(plan).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    expect(plan).not.toMatch(/SCAN/);
    // the pushed-down lookup finds what it should, and nothing for a miss
    expect(await col.findOne({ _id: 'doc499' })).toEqual({ _id: 'doc499', n: 499 });
    expect(await col.findOne({ _id: 'doc0' })).toEqual({ _id: 'doc0', n: 0 });
    expect(await col.findOne({ _id: 'nope' })).toBeNull();
    // updates and deletes by _id use the same expression
    await col.updateOne({ _id: 'doc7' }, { $set: { n: 7000 } });
    await col.deleteOne({ _id: 'doc8' });
    const scanned = await col.find({ n: { $in: [7000, 8] } }).toArray();
    expect(scanned).toEqual([{ _id: 'doc7', n: 7000 }]);
    expect(await col.countDocuments()).toBe(499);
  }, 60_000);
});
