import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
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

/** One SMTP transaction as a timed sink saw it: MAIL FROM to the answer at the end of DATA (performance.now()). */
export interface SmtpTransaction {
  start: number;
  end?: number;
  /** Our message id (Message-ID's local part), once DATA arrived. */
  id?: string;
}

export interface TimedSink {
  url: string;
  /** Every transaction begun, in order. */
  transactions: SmtpTransaction[];
  /** Message ids of accepted messages, in arrival order (repeats are duplicates). */
  ids: string[];
  /** The Message-ID header (without <>) each message id arrived with: what a relay's event quotes. */
  headerIds: Map<string, string>;
  /** Transactions open at `t`: begun at or before it, not answered before it. */
  openAt(t: number): SmtpTransaction[];
  close(): Promise<void>;
}

/**
 * An SMTP sink that times each transaction (MAIL FROM to the end of DATA), so a drill can count the
 * messages that were in an SMTP transaction at the moment it killed something: a message the relay
 * accepted while its job's Redis went away may be sent again, and only those may.
 */
export async function startTimedSink(): Promise<TimedSink> {
  const transactions: SmtpTransaction[] = [];
  const ids: string[] = [];
  const headerIds = new Map<string, string>();
  const current = new Map<string, SmtpTransaction>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: 1000,
    onMailFrom(_address, session, callback) {
      const t: SmtpTransaction = { start: performance.now() };
      transactions.push(t);
      current.set(session.id, t);
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')));
        const header = /^message-id:\s*<([^>]+)>/im.exec(head)?.[1] ?? '';
        const id = /^([0-9a-f]{24})[.@]/.exec(header)?.[1] ?? '?';
        headerIds.set(id, header);
        const t = current.get(session.id);
        if (t) Object.assign(t, { end: performance.now(), id });
        ids.push(id);
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    transactions,
    ids,
    headerIds,
    openAt: (t) => transactions.filter((x) => x.start <= t && (x.end === undefined || x.end >= t)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
