import { expect } from 'vitest';
import type { MessageView } from '../../src/messages/index.ts';
import type { TemplateRenderer } from '../../src/templates/index.ts';
import { authHeaders } from './env.ts';
import { eventually } from './processes.ts';

interface RunningApp {
  url: string | undefined;
  templates: { renderer: TemplateRenderer };
}

/**
 * The API as a test drives it: JSON in and out with the API key, a message's status, waiting until
 * it is final, and sending a marketing or transactional message with the template's sample data.
 * `app` is read at call time, so the helpers can be made before the app starts.
 */
export function apiClient(app: () => RunningApp) {
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = authHeaders) => {
    const res = await fetch(`${app().url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const status = async (id: string) => (await api('GET', `/v1/messages/${id}`)).body as unknown as MessageView;
  const settled = (id: string) => eventually(async () => ((await status(id)).status !== 'queued' ? status(id) : undefined));
  const send = async (kind: 'marketing' | 'transactional', to: string): Promise<string> => {
    const template = kind === 'marketing' ? 'newsletter' : 'welcome';
    const data = app().templates.renderer.get(template)!.sampleData;
    const res = await api('POST', '/v1/messages', { kind, to, template, data, ...(kind === 'marketing' ? { subscriptionType: 'newsletter' } : {}) });
    expect(res.status).toBe(202);
    return String(res.body.id);
  };
  return { api, status, settled, send };
}
