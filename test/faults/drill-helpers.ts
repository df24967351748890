import type { App } from '../../src/app.ts';
import { authHeaders } from '../helpers/env.ts';
import type { SmtpSink } from '../helpers/smtp-sink.ts';

export interface EnqueueItem {
  kind: 'marketing' | 'transactional' | 'one_to_one';
  to: string;
  template: string;
  subscriptionType?: string;
  data?: Record<string, unknown>;
  sendAt?: string;
}

/** Sample data a shipped template renders with (GET /v1/templates). */
export async function sampleData(baseUrl: string, template: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/v1/templates`, { headers: authHeaders });
  const list = (await res.json()) as { name: string; sampleData: Record<string, unknown> }[];
  const found = list.find((t) => t.name === template);
  if (!found) throw new Error(`template ${template} not shipped`);
  return found.sampleData;
}

/** Enqueues through the HTTP batch API in chunks of 1,000; returns the message ids in order. */
export async function enqueueAll(baseUrl: string, items: EnqueueItem[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += 1000) {
    const res = await fetch(`${baseUrl}/v1/messages/batch`, {
      method: 'POST',
      headers: { ...authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: items.slice(i, i + 1000) }),
    });
    if (res.status !== 202) throw new Error(`batch enqueue answered ${res.status}: ${await res.text()}`);
    const { results } = (await res.json()) as { results: ({ id: string } | { error: unknown })[] };
    for (const r of results) {
      if (!('id' in r)) throw new Error(`batch item refused: ${JSON.stringify(r)}`);
      ids.push(r.id);
    }
  }
  return ids;
}

/** Message statuses straight from the database (outcomes merged over records), counted. */
export async function statusCounts(app: App): Promise<Record<string, number>> {
  return app.messages!.repository.countByStatus();
}

/** Message id (our Message-ID's local part, `<id.tag@…>`, without its tag) of every message the sink accepted. */
export function receivedIds(sink: SmtpSink): string[] {
  return sink.messages.map((m) => /^<([0-9a-f]{24})[.@]/.exec(m.header('message-id') ?? '')?.[1] ?? '?');
}

export function duplicatesOf(ids: string[]): number {
  return ids.length - new Set(ids).size;
}
