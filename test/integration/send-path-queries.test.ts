import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND_JOB } from '../../src/messages/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig, uniqueName, mongoUrlFor } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Every query the send path sends (the worker process: load, "final already?", the state check,
// the outcome, a hard bounce's consent write, the reconciler's tick) is keyed by `_id` or by the
// leading field of an index, so on MongoDB each one is an index lookup and none is a collection
// scan. Watched through the driver's command monitoring on the worker's own connection.

interface Seen {
  command: string;
  collection: string;
  filter: Record<string, unknown>;
}

const FILTERED = new Set(['find', 'update', 'delete', 'findAndModify', 'aggregate', 'count', 'distinct']);

/** The filters a command applies: one for find/count/distinct, one per statement of update/delete, the leading $match of a pipeline. */
function filtersOf(name: string, command: Record<string, unknown>): Record<string, unknown>[] {
  if (name === 'find' || name === 'count' || name === 'distinct') return [(command.filter ?? command.query ?? {}) as Record<string, unknown>];
  if (name === 'findAndModify') return [(command.query ?? {}) as Record<string, unknown>];
  if (name === 'update' || name === 'delete') return ((command[name === 'update' ? 'updates' : 'deletes'] ?? []) as { q: Record<string, unknown> }[]).map((s) => s.q);
  const first = ((command.pipeline ?? []) as Record<string, unknown>[])[0];
  return [(first?.$match ?? {}) as Record<string, unknown>];
}

let sink: SmtpSink;
let api: Awaited<ReturnType<typeof startTestApp>>;
let worker: Awaited<ReturnType<typeof startTestApp>>;
const seen: Seen[] = [];
let recording = false;

beforeAll(async () => {
  sink = await startSmtpSink({ parse: false });
  const name = uniqueName('sendq');
  const env = { SMTP_URL: sink.url, QUEUE_PREFIX: name, RECONCILE_INTERVAL_MS: '500', RECONCILE_GRACE_MS: '1000' };
  api = await startTestApp(testConfig('sendq', { ...env, MONGO_URL: mongoUrlFor(name) }), { api: true, worker: false });
  const monitored = new URL(mongoUrlFor(name));
  monitored.searchParams.set('monitorCommands', 'true');
  worker = await startTestApp(testConfig('sendq', { ...env, MONGO_URL: monitored.toString() }), { api: false, worker: true });
  worker.ctx.db.getClient().on('commandStarted', (event: { commandName: string; command: Record<string, unknown> }) => {
    if (!recording || !FILTERED.has(event.commandName)) return;
    const collection = String(event.command[event.commandName]);
    for (const filter of filtersOf(event.commandName, event.command)) seen.push({ command: event.commandName, collection, filter });
  });
  recording = true;
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await api?.stop();
  await sink?.close();
});

describe('the send path reads and writes only by _id or an indexed field', () => {
  it('keys every query of a send worker by _id or the leading field of an index', async () => {
    const data = api.templates!.renderer.get('newsletter')!.sampleData;
    const store = api.subscriptions!.store;
    await store.apply('out@example.com', { optedOutOfAll: true }, { source: 'operator', actor: 'test' });
    sink.rejectRecipient('gone@example.com', '550 5.1.1 No such user');
    const ids: string[] = [];
    for (const to of ['a@example.com', 'b@example.com', 'out@example.com', 'gone@example.com']) {
      ids.push((await api.messages!.enqueue({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter', data })).id);
    }
    await eventually(async () => (await api.messages!.getStatus(ids[3]!))?.status === 'failed', 15_000);
    // A duplicate job for a sent message: the worker asks whether it is final already.
    await api.messages!.queues.get('marketing')!.add(SEND_JOB, { id: ids[0]! }, { jobId: `${ids[0]}-again` });
    await eventually(async () => (await api.messages!.queues.get('marketing')!.getJobCounts('completed', 'wait', 'active')).active === 0 && seen.some((s) => s.collection === 'message_outcomes' && s.command === 'find'), 15_000);
    expect((await Promise.all(ids.map((id) => api.messages!.getStatus(id)))).map((m) => m?.status)).toEqual(['sent', 'sent', 'suppressed', 'failed']);
    expect(sink.count).toBe(2);

    // Stop recording first: background jobs (reconcilers, sweeps, the guard) keep querying while the
    // indexes are listed, and a collection first seen then would have no index list.
    recording = false;
    const db = worker.ctx.db.db!;
    const leading = new Map<string, Set<string>>();
    for (const collection of new Set(seen.map((s) => s.collection))) {
      const indexes = await db.collection(collection).indexes();
      leading.set(collection, new Set(['_id', ...indexes.map((i) => Object.keys(i.key)[0]!)]));
    }
    // The reputation gate reads `stream_guards` whole, once a second per process whatever the
    // traffic (one document per stream): not a read per message, so not what this test keys. It
    // shows up whenever the sends here take longer than a second.
    const unkeyed = seen.filter((s) => {
      if (s.collection === 'stream_guards' && s.command === 'find') return false;
      const keys = Object.keys(s.filter);
      return keys.length === 0 || !keys.some((k) => leading.get(s.collection)!.has(k));
    });
    expect(unkeyed).toEqual([]);
    // the send path's reads were seen: records, states, "final already?"
    for (const read of ['find messages', 'find address_states', 'find message_outcomes']) expect(seen.map((s) => `${s.command} ${s.collection}`)).toContain(read);
    // Each decision names the consent event it rests on from the version of the state already read:
    // the worker read no consent event for it.
    expect((await Promise.all(ids.map((id) => api.messages!.getStatus(id)))).map((m) => m?.decision)).toEqual([
      { rule: 'not_specified_opt_out_mode', consentEvent: null, consentMode: 'opt-out' },
      { rule: 'not_specified_opt_out_mode', consentEvent: null, consentMode: 'opt-out' },
      { rule: 'opted_out_of_all', consentEvent: 'out@example.com#1', consentMode: 'opt-out' },
      { rule: 'not_specified_opt_out_mode', consentEvent: null, consentMode: 'opt-out' },
    ]);
    expect(seen.filter((s) => s.collection === 'consent_events' && s.command === 'find')).toEqual([]);
  }, 60_000);
});
