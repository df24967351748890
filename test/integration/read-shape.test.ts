import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageRepository } from '../../src/messages/index.ts';
import { readShapeOf } from '../../src/shared/mongo.ts';
import { AddressStateReader } from '../../src/subscriptions/address-state-reader.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';

// Both read shapes (one $in per batch, or one find by _id per id) answer the same: in the order
// asked, duplicates repeated, a miss as null / emptyState, and a corrupt state refused.
let app: Awaited<ReturnType<typeof startTestApp>>;

beforeAll(async () => {
  app = await startTestApp(testConfig('readshape'), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
});

describe('read shapes', () => {
  it('says which shape suits the server it is given', async () => {
    const info = await app.ctx.db.db!.admin().command({ buildInfo: 1 });
    expect(await readShapeOf(app.ctx.db)).toBe(typeof info.ferretdbVersion === 'string' ? 'point' : 'batched');
  });

  it('loads the same records and states either way', async () => {
    const data = app.templates!.renderer.get('newsletter')!.sampleData;
    const ids: string[] = [];
    for (const to of ['one@example.com', 'two@example.com']) {
      ids.push((await app.messages!.enqueue({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter', data })).id);
    }
    const store = app.subscriptions!.store;
    await store.apply('one@example.com', { optedOutOfAll: true }, { source: 'operator', actor: 'test' });
    const ask = [ids[1]!, 'missing-id', ids[0]!, ids[1]!];
    const addresses = ['one@example.com', 'never@example.com', 'one@example.com'];
    const answers = await Promise.all(
      (['batched', 'point'] as const).map(async (readShape) => {
        const records = await new MessageRepository({ db: app.ctx.db, readShape }).loadForSend(ask);
        const states = await new AddressStateReader({ states: store.states, readShape }).getMany(addresses);
        return { records: records.map((r) => r?._id ?? null), states: [...states.values()].map((s) => [s.address, s.optedOutOfAll, s.version]) };
      }),
    );
    expect(answers[0]).toEqual({ records: [ids[1], null, ids[0], ids[1]], states: [['one@example.com', true, 1], ['never@example.com', false, 0]] });
    expect(answers[1]).toEqual(answers[0]);

    // a document whose address disagrees with its _id is refused by both shapes (fail closed)
    await store.states.collection.insertOne({ _id: 'bad@example.com', address: 'other@example.com', optedOutOfAll: false, subscriptions: {}, suppression: null, updatedAt: new Date(), version: 1 } as never);
    for (const readShape of ['batched', 'point'] as const) {
      await expect(new AddressStateReader({ states: store.states, readShape }).getMany(['bad@example.com'])).rejects.toMatchObject({ code: 'corrupt_state' });
    }
  });
});
