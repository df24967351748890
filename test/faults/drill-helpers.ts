import { spawn, type ChildProcess } from 'node:child_process';
import type { App } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { waitForOutput } from '../helpers/processes.ts';
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

/**
 * A send worker process (`workers/send.ts --stream <stream>`) on the test app's database, Redis and
 * queue prefix, with `env` on top; resolves once it has started, with a reader of its stdout (the
 * JSON log lines). The caller stops it with stopProcess (helpers/processes.ts).
 */
export async function startSendWorker(config: Config, env: Record<string, string>, stream: string): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/send.ts', '--stream', stream], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', MONGO_URL: config.mongoUrl, REDIS_URL: config.redisUrl, QUEUE_PREFIX: config.queuePrefix, MAILGATE_SECRET: config.secrets[0], PUBLIC_URL: config.publicUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitForOutput(child, /"event":"app\.started"/, 30_000);
  return { child, log: () => log };
}
