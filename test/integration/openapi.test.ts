import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiReference } from '../../src/composition/http.ts';
import { buildApiReference, type ApiReference } from '../../src/http/api-reference.ts';
import { messageApiDoc } from '../../src/messages/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { servedRoutes, type ServedRoute } from '../helpers/served-routes.ts';

let app: Awaited<ReturnType<typeof startTestApp>>;
const { api } = apiClient(() => app);

beforeAll(async () => {
  app = await startTestApp(testConfig('openapi'), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
type Operation = { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
type Paths = Record<string, Record<string, Operation>>;

const documented = (doc: ApiReference): ServedRoute[] =>
  Object.entries(doc.paths as Paths).flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((method) => ({ method, path })));

const key = (r: ServedRoute) => `${r.method.toUpperCase()} ${r.path}`;

/** Both ways: served but not documented, and documented but not served. */
function compareRoutes(served: ServedRoute[], doc: ApiReference) {
  const inDoc = new Set(documented(doc).map(key));
  const inApp = new Set(served.filter((r) => r.path.startsWith('/v1/')).map(key));
  return { undocumented: [...inApp].filter((k) => !inDoc.has(k)).sort(), notServed: [...inDoc].filter((k) => !inApp.has(k)).sort() };
}

async function fetchDocument(): Promise<{ status: number; type: string | null; doc: ApiReference }> {
  const res = await fetch(`${app.url}/v1/openapi.json`); // no API key: the reference is public
  return { status: res.status, type: res.headers.get('content-type'), doc: (await res.json()) as ApiReference };
}

describe('the document', () => {
  it('is served without the key at /v1/openapi.json, and is valid OpenAPI 3.1', async () => {
    const { status, type, doc } = await fetchDocument();
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/json/);
    expect(doc).toEqual(JSON.parse(JSON.stringify(apiReference())));
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.info).toMatchObject({ title: 'mailgate API', version: '0.1.0' });
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.components?.responses ?? {})).toEqual(expect.arrayContaining(['BadRequest', 'Unauthorized', 'NotFound', 'Unprocessable', 'ServiceUnavailable']));
  });

  it('documents every /v1 route the app serves, and no other', async () => {
    const { doc } = await fetchDocument();
    const served = servedRoutes(app.http!);
    expect(served.length).toBeGreaterThan(15); // the walk found the routers at all
    const { undocumented, notServed } = compareRoutes(served, doc);
    expect(undocumented, 'served under /v1 but missing from the API reference: add a doc.route({...}) in the domain’s *-api-doc.ts').toEqual([]);
    expect(notServed, 'in the API reference but not served by the app').toEqual([]);
  });

  it('names a route that is not documented (the coverage check is not blind)', () => {
    const served = servedRoutes(app.http!);
    const withoutMessages = buildApiReference({ title: 't', version: '0', description: '', sections: [] });
    const { undocumented } = compareRoutes(served, withoutMessages);
    expect(undocumented).toEqual(expect.arrayContaining(['POST /v1/messages', 'GET /v1/messages/{id}', 'GET /v1/addresses/{address}']));
    const onlyMessages = buildApiReference({ title: 't', version: '0', description: '', sections: [messageApiDoc] });
    expect(compareRoutes(served, onlyMessages).undocumented).not.toContain('POST /v1/messages');
  });

  it('says which routes need the key, and the app agrees', async () => {
    const { doc } = await fetchDocument();
    const sample = (path: string) => path.replace('{address}', encodeURIComponent('auth@example.com')).replace('{id}', '665f1c2e9b1d4a0012345678').replace('{name}', 'welcome');
    const checked: string[] = [];
    for (const { method, path } of documented(doc)) {
      const op = (doc.paths as Paths)[path]![method]!;
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      const res = await fetch(`${app.url}${sample(path)}`, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, ...(method === 'get' ? {} : { body: '{}' }) });
      await res.arrayBuffer();
      if (isPublic) expect(res.status, `${key({ method, path })} is documented as public`).not.toBe(401);
      else {
        expect(res.status, `${key({ method, path })} is documented behind the key`).toBe(401);
        expect(op.responses['401'], `${key({ method, path })} documents its 401`).toBeDefined();
      }
      checked.push(key({ method, path }));
    }
    expect(checked).toContain('POST /v1/feedback/ses');
    expect(checked).toContain('PATCH /v1/addresses/{address}');
  });
});

describe('real answers match the document', () => {
  let spec: Paths;
  beforeAll(async () => {
    const validator = new Validator();
    await validator.validate((await fetchDocument()).doc as never);
    spec = (validator.resolveRefs() as { paths: Paths }).paths;
  });

  /** The answer's status is documented for the route, and its JSON body fits the documented schema. */
  const conforms = (method: string, path: string, res: { status: number; body: unknown }) => {
    const response = spec[path]?.[method]?.responses[String(res.status)];
    expect(response, `${method.toUpperCase()} ${path} answered ${res.status}, which it does not document`).toBeDefined();
    const schema = response!.content?.['application/json']?.schema;
    expect(schema, `${method.toUpperCase()} ${path} ${res.status} documents a JSON body`).toBeDefined();
    const parsed = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(res.body);
    expect(parsed.error?.issues ?? [], `${method.toUpperCase()} ${path} ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`).toEqual([]);
  };

  it('the schemas are strict enough to refuse a wrong body', () => {
    const schema = spec['/v1/messages/{id}']!.get!.responses['200']!.content!['application/json']!.schema;
    expect(z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse({ id: 'x', status: 'delivered' }).success).toBe(false);
  });

  it('messages: 202, 200, 422, 400 and 404', async () => {
    const data = app.templates.renderer.get('welcome')!.sampleData;
    const accepted = await api('POST', '/v1/messages', { kind: 'transactional', to: 'doc@example.com', template: 'welcome', data });
    expect(accepted.status).toBe(202);
    conforms('post', '/v1/messages', accepted);
    const view = await api('GET', `/v1/messages/${String(accepted.body.id)}`);
    expect(view.status).toBe(200);
    conforms('get', '/v1/messages/{id}', view);
    const noType = await api('POST', '/v1/messages', { kind: 'marketing', to: 'doc@example.com', template: 'newsletter' });
    expect(noType.status).toBe(422);
    conforms('post', '/v1/messages', noType);
    const malformed = await api('POST', '/v1/messages', { kind: 'postcard' });
    expect(malformed.status).toBe(400);
    conforms('post', '/v1/messages', malformed);
    const batch = await api('POST', '/v1/messages/batch', { messages: [{ kind: 'transactional', to: 'doc2@example.com', template: 'welcome', data }, { kind: 'transactional', to: 'nope', template: 'welcome' }] });
    expect(batch.status).toBe(202);
    conforms('post', '/v1/messages/batch', batch);
    const missing = await api('GET', '/v1/messages/665f1c2e9b1d4a0012345678');
    expect(missing.status).toBe(404);
    conforms('get', '/v1/messages/{id}', missing);
  });

  it('messages: 422 template_data_invalid names the missing fields, as documented (#24)', async () => {
    const { doc } = await fetchDocument();
    const documentedError = (doc.components?.schemas as Record<string, unknown> | undefined)?.TemplateDataInvalid;
    expect(JSON.stringify(documentedError)).toContain('"missing"');
    expect(JSON.stringify((doc.paths as Paths)['/v1/messages']!.post!.responses['422'])).toContain('template_data_invalid');
    const refused = await api('POST', '/v1/messages', { kind: 'marketing', to: 'doc3@example.com', template: 'newsletter', subscriptionType: 'newsletter', data: {} });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'template_data_invalid', details: { missing: ['ctaUrl', 'headline', 'intro', 'issue', 'stories'] } } });
    conforms('post', '/v1/messages', refused);
    const schema = spec['/v1/messages']!.post!.responses['422']!.content!['application/json']!.schema;
    const specific = (schema as { anyOf: unknown[] }).anyOf[0];
    expect(z.fromJSONSchema(specific as Parameters<typeof z.fromJSONSchema>[0]).safeParse(refused.body).success).toBe(true);
    expect(z.fromJSONSchema(specific as Parameters<typeof z.fromJSONSchema>[0]).safeParse({ error: { code: 'template_data_invalid', message: 'x', details: {} } }).success).toBe(false);
    const batch = await api('POST', '/v1/messages/batch', { messages: [{ kind: 'marketing', to: 'doc4@example.com', template: 'newsletter', subscriptionType: 'newsletter', data: {} }] });
    expect(batch.status).toBe(202);
    expect(batch.body.results).toEqual([{ error: expect.objectContaining({ code: 'template_data_invalid' }) }]);
    conforms('post', '/v1/messages/batch', batch);
  });

  it('addresses, history, suppressions, types, templates, jobs, feedback, export', async () => {
    const address = encodeURIComponent('Doc.Reader@Example.com');
    const changed = await api('PATCH', `/v1/addresses/${address}`, { subscriptions: { newsletter: 'unsubscribed' } });
    expect(changed.status).toBe(200);
    conforms('patch', '/v1/addresses/{address}', changed);
    const refused = await api('PATCH', `/v1/addresses/${address}`, { subscriptions: { newsletter: 'subscribed' } });
    expect(refused.status).toBe(422);
    conforms('patch', '/v1/addresses/{address}', refused);
    const feedback = await api('POST', '/v1/feedback', { address: 'Doc.Reader@Example.com', type: 'hard_bounce', eventId: 'doc-1' });
    expect(feedback.status).toBe(202);
    conforms('post', '/v1/feedback', feedback);
    for (const [path, url] of [
      ['/v1/addresses/{address}', `/v1/addresses/${address}`],
      ['/v1/addresses/{address}/history', `/v1/addresses/${address}/history`],
      ['/v1/addresses/{address}/export', `/v1/addresses/${address}/export`],
      ['/v1/suppressions', '/v1/suppressions?limit=10'],
      ['/v1/subscription-types', '/v1/subscription-types'],
      ['/v1/templates', '/v1/templates'],
    ] as const) {
      const res = await api('GET', url);
      expect(res.status, url).toBe(200);
      conforms('get', path, res);
    }
    const history = await api('GET', `/v1/addresses/${address}/history`);
    expect(history.body).toHaveLength(1); // the unsubscribe; the bounce is applied by the (absent) feedback worker
    const badQuery = await api('GET', '/v1/suppressions?limit=0');
    expect(badQuery.status).toBe(400);
    conforms('get', '/v1/suppressions', badQuery);
    const noJob = await api('GET', '/v1/jobs/0b8c8d5e-1f2a-4b3c-8d9e-0f1a2b3c4d5e');
    expect(noJob.status).toBe(404);
    conforms('get', '/v1/jobs/{id}', noJob);
    const notSuppressed = await api('DELETE', `/v1/addresses/${address}/suppression`, { explanation: 'confirmed by phone' });
    expect(notSuppressed.status).toBe(404);
    conforms('delete', '/v1/addresses/{address}/suppression', notSuppressed);
    const noKey = await api('GET', '/v1/templates', undefined, {});
    expect(noKey.status).toBe(401);
    conforms('get', '/v1/templates', noKey);
  });
});
