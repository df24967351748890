import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyItem } from '../../src/subscriptions/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';

// The suppression list (docs/rules.md §7) over 10,000 suppressions: every one is listed exactly once,
// newest first, through the cursor, also while several share a timestamp.
const COUNT = 10_000;
let app: Awaited<ReturnType<typeof startTestApp>>;
const base = Date.parse('2026-06-01T00:00:00Z');

const get = async (path: string) => {
  const res = await fetch(`${app.url}${path}`, { headers: authHeaders });
  return { status: res.status, body: (await res.json()) as { suppressions: { address: string; reason: string; at: string }[]; nextCursor?: string } };
};

beforeAll(async () => {
  app = await startTestApp(testConfig('suppressions'), { api: true, worker: false });
  const store = app.subscriptions.store;
  for (let start = 0; start < COUNT; start += 2000) {
    const items: ApplyItem[] = [];
    for (let i = start; i < Math.min(COUNT, start + 2000); i++) {
      // Pairs share a timestamp, so the cursor's tie-break on the address is exercised.
      const at = new Date(base + Math.floor(i / 2) * 1000);
      const kind = i % 10 === 0 ? 'complaint' : 'hard_bounce';
      items.push({
        address: `s${String(i).padStart(5, '0')}@example.net`,
        change: { suppression: { kind, at, source: kind === 'complaint' ? 'complaint' : 'bounce', detail: '5.1.1 user unknown' } },
        context: { source: kind === 'complaint' ? 'complaint' : 'bounce' },
      });
    }
    const results = await store.applyMany(items);
    expect(results.every((r) => 'changed' in r && r.changed)).toBe(true);
  }
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

describe('GET /v1/suppressions', () => {
  it('pages through all 10,000 suppressions once each, newest first', async () => {
    const seen: { address: string; at: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await get(`/v1/suppressions?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.suppressions);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen).toHaveLength(COUNT);
    expect(new Set(seen.map((s) => s.address)).size).toBe(COUNT);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.at > b.at || (a.at === b.at && a.address > b.address)).toBe(true);
    }
    expect(seen[0]).toMatchObject({ address: 's09999@example.net' });
  }, 120_000);

  it('filters by reason and by time', async () => {
    const complaints = await get('/v1/suppressions?reason=complaint&limit=1000');
    expect(complaints.body.suppressions).toHaveLength(COUNT / 10);
    expect(complaints.body.suppressions.every((s) => s.reason === 'complaint')).toBe(true);
    const since = new Date(base + 4990 * 1000).toISOString();
    const recent = await get(`/v1/suppressions?since=${encodeURIComponent(since)}`);
    expect(recent.body.suppressions).toHaveLength(20);
  }, 60_000);

  it('refuses a cursor it did not give out, and a bad reason', async () => {
    expect((await get('/v1/suppressions?cursor=bm9wZQ')).status).toBe(400);
    expect((await get('/v1/suppressions?reason=spam')).status).toBe(400);
    expect((await get('/v1/suppressions?limit=0')).status).toBe(400);
  });
});
