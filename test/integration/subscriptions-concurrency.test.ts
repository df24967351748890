import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { MongoSubscriptionStore } from '../../src/subscriptions/mongo-subscription-store.ts';
import { eventId } from '../../src/subscriptions/consent-event.model.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let templatesDir: string;
const json = { ...authHeaders, 'content-type': 'application/json' };
const EXTRA_TYPES = Array.from({ length: 50 }, (_, i) => `topic-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  // The shipped templates plus 50 extra subscription types, so 50 concurrent PATCHes can each make a distinct change.
  templatesDir = mkdtempSync(join(tmpdir(), 'mailgate-templates-'));
  cpSync('templates', templatesDir, { recursive: true });
  const catalog = JSON.parse(readFileSync(join(templatesDir, 'subscription-types.json'), 'utf8')) as { types: unknown[] };
  for (const id of EXTRA_TYPES) catalog.types.push({ id, name: { en: id, de: id }, description: { en: id, de: id } });
  writeFileSync(join(templatesDir, 'subscription-types.json'), JSON.stringify(catalog));
  app = await startTestApp(testConfig('subsconc', { TEMPLATES_DIR: templatesDir }), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
  rmSync(templatesDir, { recursive: true, force: true });
});

const patch = (address: string, body: unknown) =>
  fetch(`${app.url}/v1/addresses/${encodeURIComponent(address)}`, { method: 'PATCH', headers: json, body: JSON.stringify(body) });
const history = async (address: string) =>
  (await (await fetch(`${app.url}/v1/addresses/${encodeURIComponent(address)}/history`, { headers: authHeaders })).json()) as {
    version: number;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
  }[];

// Many writes to one address serialize on the database; FerretDB on a shared 2-core box is slow at that.
describe('concurrent changes to one address', { timeout: 90_000 }, () => {
  it('50 concurrent PATCHes, each a different change: all 50 applied, each with its event, versions 1..50', async () => {
    const address = 'busy@example.com';
    const responses = await Promise.all(EXTRA_TYPES.map((type) => patch(address, { subscriptions: { [type]: 'unsubscribed' } })));
    expect(responses.map((r) => r.status)).toEqual(EXTRA_TYPES.map(() => 200));
    const state = (await (await fetch(`${app.url}/v1/addresses/${address}`, { headers: authHeaders })).json()) as { subscriptions: Record<string, string> };
    for (const type of EXTRA_TYPES) expect(state.subscriptions[type]).toBe('unsubscribed');
    const events = await history(address);
    expect(events.map((e) => e.version)).toEqual(EXTRA_TYPES.map((_, i) => i + 1));
    expect(new Set(events.map((e) => Object.keys(e.after.subscriptions as object)[0])).size).toBe(50);
    const doc = await app.ctx.db.collection('address_states').findOne({ address });
    expect(doc?.version).toBe(50);
    expect(await app.subscriptions!.store.pending.countDocuments()).toBe(0);
  });

  it('30 concurrent conflicting PATCHes: every real change has its event and the events chain to the final state', async () => {
    const address = 'flip@example.com';
    const bodies = Array.from({ length: 30 }, (_, i) => ({
      optedOutOfAll: i % 2 === 0,
      subscriptions: { newsletter: i % 3 === 0 ? 'subscribed' : 'unsubscribed' },
      legalBasis: 'legitimate_interest_customer',
      legalBasisExplanation: `request ${i}`,
    }));
    const responses = await Promise.all(bodies.map((b) => patch(address, b)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const events = await history(address);
    expect(events.length).toBeGreaterThan(1);
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    // Replaying the events from nothing gives the stored state: no change without its event, no lost update.
    let optedOutOfAll = false;
    let newsletter = 'not_specified';
    for (const e of events) {
      const before = e.before as { optedOutOfAll?: boolean; subscriptions?: { newsletter?: string } };
      const after = e.after as { optedOutOfAll?: boolean; subscriptions?: { newsletter?: string } };
      if (before.optedOutOfAll !== undefined) expect(before.optedOutOfAll).toBe(optedOutOfAll);
      if (before.subscriptions?.newsletter !== undefined) expect(before.subscriptions.newsletter).toBe(newsletter);
      optedOutOfAll = after.optedOutOfAll ?? optedOutOfAll;
      newsletter = after.subscriptions?.newsletter ?? newsletter;
    }
    const state = (await (await fetch(`${app.url}/v1/addresses/${address}`, { headers: authHeaders })).json()) as {
      optedOutOfAll: boolean;
      subscriptions: Record<string, string>;
    };
    expect(state.optedOutOfAll).toBe(optedOutOfAll);
    expect(state.subscriptions.newsletter).toBe(newsletter);
  });
});

describe('concurrent changes from several processes', { timeout: 90_000 }, () => {
  it('3 store instances (no shared in-process queue) × 10 changes each to one address: all 30 applied through the CAS', async () => {
    const { db, catalog, logger } = app.ctx;
    const stores = Array.from({ length: 3 }, () => new MongoSubscriptionStore({ db, catalog, logger }));
    const address = 'multi@example.com';
    const types = EXTRA_TYPES.slice(0, 30);
    const results = await Promise.all(
      types.map((type, i) => stores[i % 3]!.apply(address, { subscriptions: { [type]: 'subscribed' } }, { source: 'api', actor: `p${i % 3}` })),
    );
    expect(results.every((r) => r.changed)).toBe(true);
    const final = await stores[0]!.get(address);
    expect(final.version).toBe(30);
    for (const type of types) expect(final.subscriptions[type]).toBe('subscribed');
    const events = await stores[0]!.history(address);
    expect(events.map((e) => e.version)).toEqual(types.map((_, i) => i + 1));
    expect(await stores[0]!.pending.countDocuments()).toBe(0);
  });
});

describe('a crash between the event and the state write', () => {
  it('a pending event is not in effect, and the next change or the repair rolls it forward before its own', async () => {
    const store = app.subscriptions!.store;
    const address = 'crash@example.com';
    await store.apply(address, { subscriptions: { newsletter: 'unsubscribed' } }, { source: 'operator', actor: 'test' });
    // Simulate a writer that died right after inserting its event (version 2), before moving the state.
    await store.events.create({
      _id: eventId(address, 2),
      address,
      version: 2,
      before: { optedOutOfAll: false },
      after: { optedOutOfAll: true },
      source: 'preferences_page',
      at: new Date(),
    });
    expect((await store.get(address)).optedOutOfAll).toBe(false);
    expect(await store.history(address)).toHaveLength(1);

    const { state, changed } = await store.apply(address, { subscriptions: { events: 'unsubscribed' } }, { source: 'operator', actor: 'test' });
    expect(changed).toBe(true);
    expect(state).toMatchObject({ version: 3, optedOutOfAll: true, subscriptions: { newsletter: 'unsubscribed', events: 'unsubscribed' } });
    const events = await store.history(address);
    expect(events.map((e) => [e.version, e.source])).toEqual([
      [1, 'operator'],
      [2, 'preferences_page'],
      [3, 'operator'],
    ]);
  });

  it('repairPending finishes a stale pending event nobody else touches', async () => {
    const store = app.subscriptions!.store;
    const address = 'lonely@example.com';
    await store.events.create({
      _id: eventId(address, 1),
      address,
      version: 1,
      before: { subscriptions: { events: 'not_specified' } },
      after: { subscriptions: { events: 'unsubscribed' } },
      source: 'one_click',
      at: new Date(Date.now() - 120_000),
    });
    await store.pending.create({ _id: 'crashed-write', events: [eventId(address, 1)], at: new Date(Date.now() - 120_000) });
    expect((await store.get(address)).version).toBe(0);
    expect(await store.repairPending(60_000)).toBe(1);
    expect(await store.pending.countDocuments({ _id: 'crashed-write' })).toBe(0);
    expect(await store.get(address)).toMatchObject({ version: 1, subscriptions: { events: 'unsubscribed' } });
    expect(await store.history(address)).toHaveLength(1);
  });

  it('getMany reads many addresses in one go; unknown ones are empty', async () => {
    const store = app.subscriptions!.store;
    const states = await store.getMany(['busy@example.com', 'crash@example.com', 'never@example.com', 'busy@example.com']);
    expect(states.size).toBe(3);
    expect(states.get('never@example.com')).toMatchObject({ version: 0, optedOutOfAll: false, subscriptions: {} });
    expect(states.get('crash@example.com')?.optedOutOfAll).toBe(true);
  });
});
