// Drill 5: every bad input of docs/rules.md §5, table-driven, each refused with a clear status and
// code and leaving the stored state exactly as it was; then a fast-check fuzz of the JSON bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TokenService } from '../../src/preferences/tokens.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { startTestApp } from '../helpers/app.ts';

const config = testConfig('hostile');
let app: Awaited<ReturnType<typeof startTestApp>>;
const SEEDED = 'seeded@hostile.example.com';
const json = { ...authHeaders, 'content-type': 'application/json' };

/** Everything a bad request could have touched: one address's state, its events, the messages. */
async function snapshot(): Promise<string> {
  const db = app.ctx.db.db!;
  const [state, events, messages, confirmations] = await Promise.all([
    fetch(`${app.url}/v1/addresses/${SEEDED}`, { headers: authHeaders }).then((r) => r.json()),
    db.collection('consent_events').countDocuments(),
    db.collection('messages').countDocuments(),
    db.collection('used_tokens').countDocuments(),
  ]);
  return JSON.stringify({ state, events, messages, confirmations });
}

beforeAll(async () => {
  app = await startTestApp(config, { api: true, worker: false });
  const res = await fetch(`${app.url}/v1/addresses/${SEEDED}`, {
    method: 'PATCH',
    headers: json,
    body: JSON.stringify({ optedOutOfAll: true, subscriptions: { events: 'unsubscribed' } }),
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await app.stop();
});

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  headers?: Record<string, string>;
  body?: string | Buffer;
  status: number;
  code?: string;
}

const message = (over: Record<string, unknown>) => JSON.stringify({ kind: 'transactional', to: 'ok@hostile.example.com', template: 'welcome', data: { firstName: 'A', ctaUrl: 'https://x.example.com' }, ...over });
const tokens = () => app.ctx.tokens;
const valid = (k: 'p' | 'u') => (k === 'p' ? tokens().sign({ k: 'p', a: SEEDED }) : tokens().sign({ k: 'u', a: SEEDED, t: 'newsletter' }));
const tamper = (token: string) => {
  const i = Math.floor(token.length / 2);
  return `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
};
const foreign = () => new TokenService(['someone-elses-secret-0123456789']).sign({ k: 'u', a: SEEDED, t: 'newsletter' });
const oneClick = { 'content-type': 'application/x-www-form-urlencoded' };

const cases: Case[] = [
  // --- the JSON API: transport-level problems
  { name: 'no API key', method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json' }, body: message({}), status: 401, code: 'unauthorized' },
  { name: 'wrong API key', method: 'POST', path: '/v1/messages', headers: { authorization: 'Bearer not-the-key-0123456789', 'content-type': 'application/json' }, body: message({}), status: 401, code: 'unauthorized' },
  { name: 'malformed JSON', method: 'POST', path: '/v1/messages', headers: json, body: '{"kind": "transactional",', status: 400, code: 'malformed_json' },
  { name: 'wrong content type', method: 'POST', path: '/v1/messages', headers: { ...authHeaders, 'content-type': 'text/plain' }, body: message({}), status: 415, code: 'unsupported_media_type' },
  { name: '11 MB body', method: 'POST', path: '/v1/messages', headers: json, body: message({ data: { blob: 'x'.repeat(11 * 1024 * 1024) } }), status: 413, code: 'payload_too_large' },
  // --- addresses
  { name: 'header injection in to', method: 'POST', path: '/v1/messages', headers: json, body: message({ to: 'a@example.com\r\nBcc: victim@example.org' }), status: 400, code: 'invalid_address' },
  { name: 'display name in to', method: 'POST', path: '/v1/messages', headers: json, body: message({ to: 'Ann <ann@example.com>' }), status: 400, code: 'invalid_address' },
  { name: 'two recipients in to', method: 'POST', path: '/v1/messages', headers: json, body: message({ to: 'a@example.com, b@example.com' }), status: 400, code: 'invalid_address' },
  { name: 'missing domain', method: 'POST', path: '/v1/messages', headers: json, body: message({ to: 'ann@' }), status: 400, code: 'invalid_address' },
  { name: 'domain without a dot', method: 'POST', path: '/v1/messages', headers: json, body: message({ to: 'ann@localhost' }), status: 400, code: 'invalid_address' },
  // --- message semantics
  { name: 'unknown template', method: 'POST', path: '/v1/messages', headers: json, body: message({ template: 'nope' }), status: 422, code: 'unknown_template' },
  { name: 'marketing without a type', method: 'POST', path: '/v1/messages', headers: json, body: message({ kind: 'marketing', template: 'newsletter' }), status: 422, code: 'subscription_type_required' },
  { name: 'marketing with an unknown type', method: 'POST', path: '/v1/messages', headers: json, body: message({ kind: 'marketing', template: 'newsletter', subscriptionType: 'spam' }), status: 422, code: 'unknown_subscription_type' },
  { name: 'unknown kind', method: 'POST', path: '/v1/messages', headers: json, body: message({ kind: 'bulk' }), status: 400, code: 'validation_failed' },
  { name: 'unknown field', method: 'POST', path: '/v1/messages', headers: json, body: message({ bcc: 'x@example.com' }), status: 400, code: 'validation_failed' },
  { name: 'sendAt not ISO 8601', method: 'POST', path: '/v1/messages', headers: json, body: message({ sendAt: 'tomorrow at noon' }), status: 400, code: 'validation_failed' },
  { name: 'MongoDB operator as to', method: 'POST', path: '/v1/messages', headers: json, body: JSON.stringify({ kind: 'transactional', to: { $gt: '' }, template: 'welcome' }), status: 400, code: 'operator_not_allowed' },
  { name: 'MongoDB operator deep in data', method: 'POST', path: '/v1/messages', headers: json, body: message({ data: { a: [{ $where: 'sleep(1000)' }] } }), status: 400, code: 'operator_not_allowed' },
  { name: '400 KB of nested arrays', method: 'POST', path: '/v1/messages', headers: json, body: '['.repeat(200_000) + ']'.repeat(200_000), status: 400, code: 'too_deeply_nested' },
  { name: 'data nested 65 levels deep', method: 'POST', path: '/v1/messages', headers: json, body: message({ data: JSON.parse('{"a":'.repeat(64) + '1' + '}'.repeat(64)) as unknown }), status: 400, code: 'too_deeply_nested' },
  { name: 'batch nested deep inside a message', method: 'POST', path: '/v1/messages/batch', headers: json, body: JSON.stringify({ messages: [{ data: JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown }] }), status: 400, code: 'too_deeply_nested' },
  { name: 'batch over 1,000', method: 'POST', path: '/v1/messages/batch', headers: json, body: JSON.stringify({ messages: Array.from({ length: 1001 }, () => ({})) }), status: 400 },
  { name: 'batch without an array', method: 'POST', path: '/v1/messages/batch', headers: json, body: JSON.stringify({ messages: 'all of them' }), status: 400 },
  { name: 'status of an unknown message', method: 'GET', path: '/v1/messages/000000000000000000000000', headers: authHeaders, status: 404, code: 'message_not_found' },
  // --- operator changes
  { name: 'PATCH a malformed address', method: 'PATCH', path: '/v1/addresses/not-an-address', headers: json, body: JSON.stringify({ optedOutOfAll: true }), status: 400, code: 'invalid_address' },
  { name: 'PATCH an unknown type', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: json, body: JSON.stringify({ subscriptions: { spam: 'unsubscribed' } }), status: 422, code: 'unknown_subscription_type' },
  { name: 'PATCH an unknown state', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: json, body: JSON.stringify({ subscriptions: { newsletter: 'maybe' } }), status: 400, code: 'validation_failed' },
  { name: 'PATCH lifting opt-out without basis', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: json, body: JSON.stringify({ optedOutOfAll: false }), status: 422, code: 'legal_basis_required' },
  { name: 'PATCH re-subscribing a type without explanation', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: json, body: JSON.stringify({ subscriptions: { events: 'subscribed' }, legalBasis: 'performance_of_contract', legalBasisExplanation: '  ' }), status: 422, code: 'legal_basis_required' },
  { name: 'PATCH an invented legal basis', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: json, body: JSON.stringify({ optedOutOfAll: false, legalBasis: 'because', legalBasisExplanation: 'we like them' }), status: 400, code: 'validation_failed' },
  { name: 'PATCH with an operator', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: json, body: JSON.stringify({ optedOutOfAll: { $ne: true } }), status: 400, code: 'operator_not_allowed' },
  { name: 'PATCH nested 10,000 levels deep', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: json, body: `{"subscriptions":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, status: 400, code: 'too_deeply_nested' },
  { name: 'PATCH as text/plain', method: 'PATCH', path: `/v1/addresses/${SEEDED}`, headers: { ...authHeaders, 'content-type': 'text/plain' }, body: '{"optedOutOfAll":false}', status: 415, code: 'unsupported_media_type' },
  { name: 'import as JSON', method: 'POST', path: '/v1/addresses/import', headers: json, body: JSON.stringify({ rows: [] }), status: 415, code: 'unsupported_media_type' },
  { name: 'unknown bulk job', method: 'GET', path: '/v1/jobs/does-not-exist', headers: authHeaders, status: 404, code: 'job_not_found' },
  // --- recipient pages and tokens
  { name: 'tampered preferences token', method: 'GET', path: () => `/preferences/${tamper(valid('p'))}`, status: 400 },
  { name: 'truncated preferences token', method: 'GET', path: () => `/preferences/${valid('p').slice(0, 30)}`, status: 400 },
  { name: 'one-click with a foreign token', method: 'POST', path: () => `/unsubscribe/${foreign()}`, headers: oneClick, body: 'List-Unsubscribe=One-Click', status: 400 },
  { name: 'one-click with a tampered token', method: 'POST', path: () => `/unsubscribe/${tamper(valid('u'))}`, headers: oneClick, body: 'List-Unsubscribe=One-Click', status: 400 },
  { name: 'one-click with the wrong body', method: 'POST', path: () => `/unsubscribe/${valid('u')}`, headers: oneClick, body: 'List-Unsubscribe=Yes-Please', status: 400 },
  { name: 'GET on the one-click URL', method: 'GET', path: () => `/unsubscribe/${valid('u')}`, status: 200 },
  { name: 'preferences POST without CSRF', method: 'POST', path: () => `/preferences/${valid('p')}`, headers: oneClick, body: 'action=resubscribe&types=newsletter', status: 403 },
  { name: 'subscribe form POST without CSRF', method: 'POST', path: '/subscribe', headers: oneClick, body: `email=${encodeURIComponent(SEEDED)}&types=newsletter`, status: 403 },
  { name: 'oversized subscribe form', method: 'POST', path: '/subscribe', headers: oneClick, body: `email=${'a'.repeat(20_000)}`, status: 413 },
  { name: 'confirmation with a preferences token', method: 'POST', path: () => `/subscribe/confirm/${valid('p')}`, headers: oneClick, body: 'confirm=1', status: 400 },
  { name: 'script in a token path', method: 'GET', path: '/preferences/%3Cscript%3Ealert(1)%3C%2Fscript%3E', status: 400 },
];

describe('hostile input corpus', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name → $status $code, nothing changed', async (c) => {
    const before = await snapshot();
    const path = typeof c.path === 'function' ? c.path() : c.path;
    const res = await fetch(`${app.url}${path}`, { method: c.method, headers: c.headers ?? {}, body: c.body ?? null, redirect: 'manual' });
    expect(res.status).toBe(c.status);
    expect(res.headers.get('location')).toBeNull();
    const text = await res.text();
    if (c.code) expect(JSON.parse(text)).toMatchObject({ error: { code: c.code } });
    if (path.startsWith('/preferences') || path.startsWith('/unsubscribe') || path.startsWith('/subscribe')) {
      expect(text).not.toContain('<script>alert(1)');
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('fuzzing the JSON bodies', () => {
  const post = async (path: string, method: string, body: unknown) => {
    const res = await fetch(`${app.url}${path}`, { method, headers: json, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const anyJson = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        kind: fc.oneof(fc.constantFrom('marketing', 'transactional', 'one_to_one'), fc.string()),
        to: fc.oneof(fc.emailAddress(), fc.string(), fc.constant('x@example.com\r\nBcc: y@example.com')),
        template: fc.oneof(fc.constantFrom('welcome', 'newsletter', 'nope'), fc.string()),
        subscriptionType: fc.oneof(fc.constantFrom('newsletter', 'events', 'spam'), fc.string()),
        data: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
        sendAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
        locale: fc.oneof(fc.constantFrom('en', 'de'), fc.string()),
      },
      { requiredKeys: [] },
    ),
  );

  it('enqueue never answers 5xx, and every refusal is a coded JSON error that stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (body) => {
        const before = await app.ctx.db.db!.collection('messages').countDocuments();
        const res = await post('/v1/messages', 'POST', body);
        expect(res.status).toBeLessThan(500);
        const after = await app.ctx.db.db!.collection('messages').countDocuments();
        if (res.status === 202) {
          expect(after).toBe(before + 1);
        } else {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(typeof (res.body.error as { code?: unknown })?.code).toBe('string');
          expect(after).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('PATCH never answers 5xx, and a refused PATCH changes nothing', async () => {
    const patchBody = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record(
        {
          optedOutOfAll: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
          subscriptions: fc.dictionary(fc.oneof(fc.constantFrom('newsletter', 'events', 'product-updates'), fc.string()), fc.oneof(fc.constantFrom('subscribed', 'unsubscribed'), fc.string())),
          legalBasis: fc.oneof(fc.constantFrom('performance_of_contract', 'not_applicable'), fc.string()),
          legalBasisExplanation: fc.string(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(patchBody, async (body) => {
        const before = await snapshot();
        const res = await post(`/v1/addresses/${SEEDED}`, 'PATCH', body);
        expect(res.status).toBeLessThan(500);
        if (res.status !== 200) {
          expect(typeof (res.body.error as { code?: unknown })?.code).toBe('string');
          expect(await snapshot()).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  });
});
