import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
const json = { ...authHeaders, 'content-type': 'application/json' };

beforeAll(async () => {
  app = await startTestApp(testConfig('subscriptions'), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
});

const url = (path: string) => `${app.url}/v1${path}`;
const patch = (address: string, body: unknown, headers: Record<string, string> = json) =>
  fetch(url(`/addresses/${encodeURIComponent(address)}`), { method: 'PATCH', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const getState = async (address: string) => {
  const res = await fetch(url(`/addresses/${encodeURIComponent(address)}`), { headers: authHeaders });
  expect(res.status).toBe(200);
  return (await res.json()) as { address: string; optedOutOfAll: boolean; subscriptions: Record<string, string>; updatedAt: string | null };
};
const getHistory = async (address: string) => {
  const res = await fetch(url(`/addresses/${encodeURIComponent(address)}/history`), { headers: authHeaders });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>[];
};
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('operator API: the curl flow', () => {
  it('unsubscribes, reads back normalized, opts out, refuses and then accepts a re-subscribe, and shows the history', async () => {
    let res = await patch('Ann@Example.com', { subscriptions: { newsletter: 'unsubscribed' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ address: 'ann@example.com', subscriptions: { newsletter: 'unsubscribed' } });

    const ann = await getState('ann@example.com');
    expect(ann).toMatchObject({
      address: 'ann@example.com',
      optedOutOfAll: false,
      subscriptions: { newsletter: 'unsubscribed', 'product-updates': 'not_specified', events: 'not_specified' },
    });
    expect(ann.updatedAt).toEqual(expect.any(String));

    // A +tag is another address: untouched, and never seen reads all not_specified.
    expect(await getState('ann+x@example.com')).toEqual({
      address: 'ann+x@example.com',
      optedOutOfAll: false,
      subscriptions: { newsletter: 'not_specified', 'product-updates': 'not_specified', events: 'not_specified' },
      updatedAt: null,
    });

    res = await patch('ann@example.com', { optedOutOfAll: true });
    expect(res.status).toBe(200);
    expect((await getState('ann@example.com')).optedOutOfAll).toBe(true);

    const before = await getState('ann@example.com');
    for (const body of [
      { optedOutOfAll: false },
      { optedOutOfAll: false, legalBasis: 'consent_with_notice' },
      { optedOutOfAll: false, legalBasisExplanation: 'Asked at the fair' },
      { optedOutOfAll: false, legalBasis: 'consent_with_notice', legalBasisExplanation: '  ' },
      { subscriptions: { newsletter: 'subscribed' } },
    ]) {
      res = await patch('ann@example.com', body);
      expect(res.status).toBe(422);
      expect(await errorCode(res)).toBe('legal_basis_required');
    }
    expect(await getState('ann@example.com')).toEqual(before);
    expect(await getHistory('ann@example.com')).toHaveLength(2);

    res = await patch('ANN@example.COM', {
      optedOutOfAll: false,
      subscriptions: { newsletter: 'subscribed' },
      legalBasis: 'consent_with_notice',
      legalBasisExplanation: 'Asked at the fair to get the newsletter again',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ optedOutOfAll: false, subscriptions: { newsletter: 'subscribed' } });

    const history = await getHistory('ann@example.com');
    expect(history).toHaveLength(3);
    expect(history.map((e) => e.version)).toEqual([1, 2, 3]);
    for (const e of history) expect(e).toMatchObject({ address: 'ann@example.com', source: 'operator', actor: 'api-key:default', at: expect.any(String) });
    expect(history[0]).toMatchObject({ before: { subscriptions: { newsletter: 'not_specified' } }, after: { subscriptions: { newsletter: 'unsubscribed' } } });
    expect(history[1]).toMatchObject({ before: { optedOutOfAll: false }, after: { optedOutOfAll: true } });
    expect(history[2]).toMatchObject({
      before: { optedOutOfAll: true, subscriptions: { newsletter: 'unsubscribed' } },
      after: { optedOutOfAll: false, subscriptions: { newsletter: 'subscribed' } },
      legalBasis: 'consent_with_notice',
      legalBasisExplanation: 'Asked at the fair to get the newsletter again',
    });
    expect(history[0]).not.toHaveProperty('legalBasis');
    expect(await getHistory('ann+x@example.com')).toEqual([]);
  });

  it('a change that changes nothing answers the state and writes no event', async () => {
    await patch('same@example.com', { subscriptions: { events: 'unsubscribed' } });
    const res = await patch('same@example.com', { subscriptions: { events: 'unsubscribed' } });
    expect(res.status).toBe(200);
    expect(await getHistory('same@example.com')).toHaveLength(1);
  });

  it('lists the subscription types', async () => {
    const res = await fetch(url('/subscription-types'), { headers: authHeaders });
    expect(res.status).toBe(200);
    const types = (await res.json()) as { id: string; name: string; description: string }[];
    expect(types.map((t) => t.id)).toEqual(expect.arrayContaining(['newsletter', 'product-updates', 'events']));
    expect(types[0]).toEqual({ id: expect.any(String), name: expect.any(String), description: expect.any(String) });
  });
});

describe('operator API: refused input changes nothing', () => {
  const victim = 'victim@example.com';
  beforeAll(async () => {
    expect((await patch(victim, { subscriptions: { newsletter: 'unsubscribed' }, optedOutOfAll: true })).status).toBe(200);
  });
  const snapshot = async () => ({ state: await getState(victim), history: await getHistory(victim) });

  it('401 without or with a wrong API key', async () => {
    const before = await snapshot();
    for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', authorization: 'Bearer wrong-key-0123456789' }] as Record<string, string>[]) {
      const res = await patch(victim, { optedOutOfAll: false, legalBasis: 'not_applicable', legalBasisExplanation: 'x' }, headers);
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe('unauthorized');
      expect((await fetch(url(`/addresses/${victim}`))).status).toBe(401);
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['malformed JSON', '{"optedOutOfAll": fals', json, 400, 'malformed_json'],
    ['wrong content type', 'optedOutOfAll=false', { ...authHeaders, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
    ['an operator at the top', { $set: { optedOutOfAll: false } }, json, 400, 'operator_not_allowed'],
    ['an operator deep inside', { subscriptions: { newsletter: { $ne: 'x' } } }, json, 400, 'operator_not_allowed'],
    ['an operator as a value key', { optedOutOfAll: { $ne: true } }, json, 400, 'operator_not_allowed'],
    ['an unknown type', { subscriptions: { spam: 'subscribed' } }, json, 422, 'unknown_subscription_type'],
    ['an unknown state', { subscriptions: { newsletter: 'maybe' } }, json, 400, 'validation_failed'],
    ['not_specified is not settable', { subscriptions: { newsletter: 'not_specified' } }, json, 400, 'validation_failed'],
    ['an unknown field', { optedOutOfAll: true, admin: true }, json, 400, 'validation_failed'],
    ['a wrong type of value', { optedOutOfAll: 'false' }, json, 400, 'validation_failed'],
    ['an unknown legal basis', { optedOutOfAll: false, legalBasis: 'because', legalBasisExplanation: 'x' }, json, 400, 'validation_failed'],
    ['nothing to change', {}, json, 400, 'validation_failed'],
    ['an oversized body', { optedOutOfAll: true, legalBasisExplanation: 'x'.repeat(6 * 1024 * 1024) }, json, 413, 'payload_too_large'],
  ])('%s', async (_label, body, headers, status, code) => {
    const before = await snapshot();
    const res = await patch(victim, body, headers);
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['Ann <ann@example.com>'],
    ['ann@example.com\r\nBcc: eve@evil.test'],
    ['ann@example.com,bob@example.com'],
    ['not-an-address'],
  ])('400 invalid_address for %j', async (address) => {
    for (const res of [await patch(address, { optedOutOfAll: true }), await fetch(url(`/addresses/${encodeURIComponent(address)}`), { headers: authHeaders })]) {
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('invalid_address');
    }
  });

  it('415 for an import that is neither CSV nor NDJSON, 413 for a declared size over the limit', async () => {
    let res = await fetch(url('/addresses/import'), { method: 'POST', headers: { ...authHeaders, 'content-type': 'text/plain' }, body: 'address,action\n' });
    expect(res.status).toBe(415);
    expect(await errorCode(res)).toBe('unsupported_media_type');
    res = await fetch(url('/addresses/import'), { method: 'POST', headers: json, body: JSON.stringify({ address: victim, action: 'resubscribe_all' }) });
    expect(res.status).toBe(415);

    // Declares 300 MB, sends a few bytes: refused from the header, without reading the body.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url('/addresses/import'), {
        method: 'POST',
        headers: { ...authHeaders, 'content-type': 'text/csv', 'content-length': String(300 * 1024 * 1024) },
      });
      req.on('response', (response) => {
        let text = '';
        response.on('data', (d: Buffer) => (text += d.toString()));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: text });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.write('address,action\n');
    });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'payload_too_large' } });
    const jobs = await app.ctx.db.collection('import_jobs').countDocuments();
    expect(jobs).toBe(0);
  });

  it('404 for an unknown job', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await fetch(url(`/jobs/${id}`), { headers: authHeaders });
      expect(res.status).toBe(404);
    }
  });
});
