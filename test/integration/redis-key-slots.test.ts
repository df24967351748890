// Redis Cluster (#25): every command mailgate sends touches keys of one slot only. On a private
// redis-server a second connection runs MONITOR while a real app goes through its main paths; each
// multi-key command, each script (with the commands it runs) and each MULTI…EXEC is checked to hash
// to one slot. Then the same paths run on a real cluster of three masters (pipelines, which MONITOR
// cannot see as one, and SCRIPT LOAD routing are proved there).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository } from '../../src/console/index.ts';
import { dropTestDatabase, startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { consoleClient } from '../helpers/console-client.ts';
import { testConfig, uniqueName } from '../helpers/env.ts';
import { eventually, startRedis } from '../helpers/processes.ts';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.ts';
import { mailgunSignature } from '../helpers/relay-signers.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { validSource } from '../helpers/stored-templates.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

// ---- which arguments of a command are keys ------------------------------------------------------

const ALL_KEYS = new Set(['DEL', 'UNLINK', 'EXISTS', 'TOUCH', 'MGET', 'WATCH', 'SUNION', 'SINTER', 'SDIFF', 'SUNIONSTORE', 'SINTERSTORE', 'SDIFFSTORE', 'PFCOUNT', 'PFMERGE', 'SINTERCARD']);
const ALL_BUT_LAST = new Set(['BLPOP', 'BRPOP', 'BZPOPMIN', 'BZPOPMAX']);
const TWO_KEYS = new Set(['RENAME', 'RENAMENX', 'SMOVE', 'LMOVE', 'BLMOVE', 'RPOPLPUSH', 'BRPOPLPUSH', 'COPY', 'GEOSEARCHSTORE', 'LCS']);
const NUMKEYS_AT_1 = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']); // name script numkeys keys…
const NUMKEYS_AT_0 = new Set(['ZUNION', 'ZINTER', 'ZDIFF', 'LMPOP', 'ZMPOP', 'ZINTERCARD']);
const DEST_NUMKEYS = new Set(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']);
const TIMEOUT_NUMKEYS = new Set(['BLMPOP', 'BZMPOP']);
/** Commands without a key (server, connection, pub/sub channels): no slot to check. */
const KEYLESS = new Set(['TIME', 'PING', 'ECHO', 'INFO', 'SELECT', 'CLIENT', 'CONFIG', 'SCRIPT', 'CLUSTER', 'HELLO', 'AUTH', 'QUIT', 'MULTI', 'EXEC', 'DISCARD', 'UNWATCH', 'PUBLISH', 'SPUBLISH', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PSUBSCRIBE', 'PUNSUBSCRIBE', 'DBSIZE', 'COMMAND', 'MEMORY', 'SLOWLOG', 'READONLY', 'READWRITE', 'FUNCTION', 'ROLE', 'LASTSAVE', 'WAIT', 'RESET']);
/** Commands that list keys of one node only: wrong on a cluster whatever their slots. */
const NODE_LOCAL = new Set(['KEYS', 'SCAN', 'RANDOMKEY', 'FLUSHDB', 'FLUSHALL']);

/** The key arguments of one command (name upper-case, then its arguments). */
function keysOf([name = '', ...args]: string[]): string[] {
  const count = (at: number) => Number(args[at]);
  if (KEYLESS.has(name)) return [];
  if (ALL_KEYS.has(name)) return args;
  if (ALL_BUT_LAST.has(name)) return args.slice(0, -1);
  if (name === 'MSET' || name === 'MSETNX') return args.filter((_, i) => i % 2 === 0);
  if (TWO_KEYS.has(name)) return args.slice(0, 2);
  if (NUMKEYS_AT_1.has(name)) return args.slice(2, 2 + count(1));
  if (NUMKEYS_AT_0.has(name)) return args.slice(1, 1 + count(0));
  if (DEST_NUMKEYS.has(name)) return [args[0]!, ...args.slice(2, 2 + count(1))];
  if (TIMEOUT_NUMKEYS.has(name)) return args.slice(2, 2 + count(1));
  if (name === 'XREAD' || name === 'XREADGROUP') {
    const at = args.findIndex((a) => a.toUpperCase() === 'STREAMS');
    const rest = args.slice(at + 1);
    return rest.slice(0, rest.length / 2);
  }
  if (name === 'OBJECT' || name === 'XINFO') return args.slice(1, 2);
  return args.slice(0, 1); // every other data command: its first argument
}

// ---- what MONITOR saw, in units that must each be in one slot ----------------------------------

interface Seen {
  source: string;
  args: string[];
}
interface Unit {
  what: string;
  keys: string[];
}

/**
 * Groups MONITOR's lines into what Redis runs as one: a command with the commands its script runs
 * (MONITOR prints those right after it, from "lua"), or one client's MULTI…EXEC.
 */
function unitsOf(lines: readonly Seen[]): { units: Unit[]; nodeLocal: string[] } {
  const units: Unit[] = [];
  const nodeLocal: string[] = [];
  const open = new Map<string, Unit>(); // client → its MULTI, until EXEC
  let last: Unit | undefined; // the unit a "lua" line belongs to
  for (const { source, args } of lines) {
    const command = [args[0]!.toUpperCase(), ...args.slice(1)];
    const name = command[0]!;
    if (NODE_LOCAL.has(name)) nodeLocal.push(`${source} ${command.join(' ').slice(0, 200)}`);
    if (source === 'lua') {
      last?.keys.push(...keysOf(command));
      continue;
    }
    const tx = open.get(source);
    if (name === 'MULTI') {
      const unit = { what: `MULTI from ${source}:`, keys: [] };
      open.set(source, unit);
      units.push(unit);
      continue;
    }
    if (name === 'EXEC' || name === 'DISCARD') {
      open.delete(source);
      continue;
    }
    if (tx) {
      tx.what += ` ${name}`;
      tx.keys.push(...keysOf(command));
      last = tx;
      continue;
    }
    last = { what: command.slice(0, 6).join(' ').slice(0, 300), keys: keysOf(command) };
    units.push(last);
  }
  return { units, nodeLocal };
}

/**
 * The units whose keys hash to more than one slot. `asOnCluster` renames a key as it is named on a
 * cluster: on one server BullMQ's keys are `<prefix>:<queue>:…`, on a cluster `<prefix>:{<queue>}:…`.
 */
const crossSlot = (units: readonly Unit[], asOnCluster: (key: string) => string = (k) => k) =>
  units.filter((u) => new Set(u.keys.map((k) => calculateSlot(asOnCluster(k)))).size > 1).map((u) => `${u.what.slice(0, 120)} → ${u.keys.join(' ')}`);
/** A queue's keys under `prefix`, named as on a cluster (shared/queues.ts bullQueueName). */
const queueTagged = (prefix: string) => {
  const queueKey = new RegExp(`^${prefix}:(send-[a-z0-9-]+|send|import|feedback|webhooks|reconcile|maintenance):`);
  return (key: string) => key.replace(queueKey, `${prefix}:{$1}:`);
};

async function monitor(url: string): Promise<{ lines: Seen[]; stop(): Promise<void> }> {
  const connection = new Redis(url);
  const lines: Seen[] = [];
  const feed = await connection.monitor();
  feed.on('monitor', (_time: string, args: string[], source: string) => lines.push({ source, args }));
  return { lines, stop: async () => (feed.disconnect(), connection.disconnect()) };
}

// ---- the main paths of a real app -------------------------------------------------------------

const MAILGUN_KEY = 'key-mailgun-signing-0123456789abcdef';
const OPERATOR = 'ops@mailgate.example';
const PASSWORD = 'a long console password 42';

const appEnv = (smtpUrl: string) => ({
  SMTP_URL: smtpUrl,
  FREQUENCY_CAP: '3/7d',
  FREQUENCY_CAP_TYPES: 'product-updates=1/7d',
  FEEDBACK_MAILGUN_SIGNING_KEY: MAILGUN_KEY,
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_SCHEDULE: '100ms,100ms',
  TRUST_PROXY: 'loopback',
  RECONCILE_INTERVAL_MS: '500',
  STREAM_MARKETING_RATE_PER_DAY: '100000', // the stream's pace counters (MULTI INCR PEXPIRE)
});

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/**
 * Sends both streams (past a frequency cap), a stream paused and resumed, webhooks delivered, a
 * console sign-in (rate limits, session, CSRF) and a page, a signed Mailgun event (token replay
 * guard), a template published (pub/sub, heard by `observer` when given): each step checks its own answer.
 */
async function driveMainPaths(app: TestApp, label: string, observer?: TestApp): Promise<void> {
  const { api, settled, send } = apiClient(() => app);
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  expect((await api('POST', '/v1/webhooks', { url: receiver.url, events: ['message.sent', 'subscription.changed'], description: label })).status).toBe(201);

  // both streams; the fourth marketing mail to one reader passes the 3/7d cap
  const reader = `reader-${label}@example.com`;
  const sent = await Promise.all([send('transactional', `tx-${label}@example.com`), send('marketing', reader), send('marketing', reader), send('marketing', reader)]);
  // a batch: one BullMQ addBulk (a MULTI of scripts) per queue
  const data = app.templates.renderer.get('welcome')!.sampleData;
  const batch = await api('POST', '/v1/messages/batch', { messages: [1, 2].map((n) => ({ kind: 'transactional', to: `batch-${n}-${label}@example.com`, template: 'welcome', data })) });
  expect(batch.status).toBe(202);
  sent.push(...(batch.body.results as { id: string }[]).map((r) => r.id));
  for (const id of sent) expect((await settled(id)).status).toBe('sent');
  expect((await settled(await send('marketing', reader))).status).not.toBe('sent');

  // a stream paused holds marketing; the resume sends it
  expect((await api('POST', '/v1/streams/marketing/pause', { explanation: 'slot drill' })).status).toBe(200);
  const held = await send('marketing', `held-${label}@example.com`);
  await eventually(async () => ((await api('GET', '/v1/streams')).body.streams as { name: string; paused: boolean }[]).some((s) => s.name === 'marketing' && s.paused));
  expect((await api('POST', '/v1/streams/marketing/resume', { explanation: 'slot drill over' })).status).toBe(200);
  expect((await settled(held)).status).toBe('sent');

  // the webhooks of those sends arrive
  await eventually(() => receiver.received.filter((h) => h.body.type === 'message.sent').length >= 7 || undefined, 30_000);

  // the reputation counters of both streams were written (one flush spans two streams' tags)
  type Rates = { name: string; rates: { '24h': { sends: number } } };
  const sends = async () => Object.fromEntries(((await api('GET', '/v1/streams')).body.streams as Rates[]).map((s) => [s.name, s.rates['24h'].sends]));
  await eventually(async () => ((await sends()).marketing ?? 0) >= 4 && ((await sends()).transactional ?? 0) >= 3);

  // the console: sign-in (per-IP and per-account limits, CSRF cookie, session) and a page
  await new ConsoleUserRepository({ db: app.ctx.db }).add(OPERATOR, 'admin', PASSWORD);
  const client = consoleClient(() => app);
  const session = await client.signIn(OPERATOR, PASSWORD, '198.51.100.7');
  expect((await client.request('/console', '198.51.100.7', { cookie: session })).status).toBe(200);
  expect((await client.attempt(OPERATOR, 'wrong password', '198.51.100.8')).status).toBe(401);

  // a signed relay event (Mailgun's one-time token goes through the replay guard)
  const gone = `gone-${label}@example.com`;
  const sample = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/feedback/mailgun-failed-permanent.json'), 'utf8')) as { 'event-data': Record<string, unknown> };
  const mailgun = JSON.stringify({ signature: mailgunSignature(MAILGUN_KEY), 'event-data': { ...sample['event-data'], id: `mg-${label}`, recipient: gone, envelope: { targets: gone } } });
  const relay = await fetch(`${app.url}/v1/feedback/mailgun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: mailgun });
  expect(relay.status).toBe(200);

  // a stored template published: announced on Redis pub/sub
  expect((await api('PUT', '/v1/templates/slot-drill/draft', { ...validSource(), basedOn: null })).status).toBe(201);
  expect((await api('POST', '/v1/templates/slot-drill/publish', { note: 'slots' })).status).toBe(201);
  // another process hears of a publish at once (its subscriber connection; its own re-read is every 5 s)
  if (observer) {
    await eventually(() => observer.templates.renderer.get('slot-drill')?.version === 1, 10_000, 20);
    expect((await api('PUT', '/v1/templates/slot-drill/draft', { ...validSource('two'), basedOn: 1 })).status).toBe(200);
    expect((await api('POST', '/v1/templates/slot-drill/publish', { note: 'slots again' })).status).toBe(201);
    await eventually(() => observer.templates.renderer.get('slot-drill')?.version === 2, 1000, 10);
  }
}

describe('every Redis command of the main paths stays in one slot', () => {
  it('MONITOR on one server: no multi-key command, script or MULTI spans two slots, and nothing lists keys', { timeout: 120_000 }, async () => {
    const server = await startRedis();
    cleanups.push(() => server.stop('SIGKILL'));
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const watch = await monitor(server.url);
    cleanups.push(() => watch.stop());
    const app = await startTestApp(testConfig('slots', { ...appEnv(sink.url), REDIS_URL: server.url }));
    let closed = false;
    cleanups.push(async () => closed || (await app.stop()));

    await driveMainPaths(app, 'one');
    // closing is a path too (workers, schedulers, the last counter flush); the private server goes with the test
    await dropTestDatabase(app.ctx.db);
    await app.close();
    closed = true;
    await watch.stop();

    const { units, nodeLocal } = unitsOf(watch.lines);
    // what was seen is the app's traffic: queues, scripts, counters, sessions, limits, lanes
    const names = new Set(watch.lines.map((l) => l.args[0]!.toUpperCase()));
    for (const name of ['EVALSHA', 'MULTI', 'HINCRBY', 'ZADD', 'SET', 'PUBLISH']) expect(names, name).toContain(name);
    expect(units.filter((u) => new Set(u.keys).size > 1).length).toBeGreaterThan(50);
    expect(crossSlot(units, queueTagged(app.ctx.config.queuePrefix))).toEqual([]);
    expect(nodeLocal).toEqual([]);
    // and without the queues' tags BullMQ's scripts would span slots: the check sees them
    expect(crossSlot(units).length).toBeGreaterThan(10);
  });

  it('the check itself: a DEL of two keys and a MULTI over two tags are caught, one tag is not', async () => {
    const server = await startRedis();
    cleanups.push(() => server.stop('SIGKILL'));
    const watch = await monitor(server.url);
    const redis = new Redis(server.url);
    await redis.del('slots:a', 'slots:b');
    await redis.multi().set('slots:{x}:1', '1').set('slots:{y}:1', '1').exec();
    await redis.multi().set('slots:{x}:1', '1').set('slots:{x}:2', '1').exec();
    await redis.eval("redis.call('SET', KEYS[1], 1); return redis.call('GET', 'slots:elsewhere')", 1, 'slots:{x}:3');
    await redis.scan('0');
    await eventually(() => watch.lines.some((l) => l.args[0]?.toUpperCase() === 'SCAN'));
    redis.disconnect();
    await watch.stop();
    const { units, nodeLocal } = unitsOf(watch.lines);
    expect(crossSlot(units)).toEqual([
      'DEL slots:a slots:b → slots:a slots:b',
      expect.stringMatching(/^MULTI from .* SET SET → slots:\{x\}:1 slots:\{y\}:1$/),
      expect.stringMatching(/^EVAL .* → slots:\{x\}:3 slots:\{x\}:3 slots:elsewhere$/),
    ]);
    expect(nodeLocal).toEqual([expect.stringMatching(/ SCAN 0$/)]);
  });

  it('pipelines only where their keys share a tag: src calls .pipeline() in the reviewed places only', () => {
    const root = resolve(import.meta.dirname, '../../src');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
    const callers = files(root).filter((f) => /\.pipeline\(\)/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    // redis-client.ts: pipelineByTag, one pipeline per hash tag on a cluster; reputation-reader.ts:
    // one stream's buckets, all under `{<stream>}`. Any other pipeline must go through pipelineByTag.
    expect(callers.sort()).toEqual(['reputation/reputation-reader.ts', 'shared/redis-client.ts']);
  });
});

describe('on a Redis Cluster (three masters, one replica each)', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    cleanups.push(() => cluster.stop());
  }, 60_000);

  it('runs the same paths, each queue in the slot of its own hash tag', { timeout: 180_000 }, async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = testConfig('cluster', { ...appEnv(sink.url), REDIS_CLUSTER_NODES: cluster.nodeList });
    expect(config.redis.kind).toBe('cluster');
    const app = await startTestApp(config);
    cleanups.push(() => app.stop());
    const otherApi = await startTestApp(config, { api: true, worker: false });
    cleanups.push(() => otherApi.stop());

    await driveMainPaths(app, 'cluster', otherApi);

    // The queues' keys carry their tag (`<prefix>:{send-marketing}:…`), and the queues spread over the masters.
    const reader = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
    cleanups.push(async () => reader.disconnect());
    await new Promise((resolve) => reader.once('ready', resolve));
    const keys: string[] = [];
    for (const node of reader.nodes('master')) keys.push(...(await node.keys(`${config.queuePrefix}:*`)));
    for (const queue of ['send-marketing', 'send-transactional', 'webhooks', 'reconcile']) expect(keys.some((k) => k.startsWith(`${config.queuePrefix}:{${queue}}:`)), queue).toBe(true);
    const bare = new RegExp(`^${config.queuePrefix}:(send-[a-z]+|webhooks|feedback|reconcile|maintenance|import|send):`);
    expect(keys.filter((k) => bare.test(k))).toEqual([]);
    const masters = new Set(await Promise.all(['send-marketing', 'send-transactional', 'webhooks', 'reconcile', 'feedback', 'import', 'maintenance'].map((q) => cluster.masterOf(`${config.queuePrefix}:{${q}}:meta`))));
    expect(masters.size).toBeGreaterThan(1);
  });

  it('with a QUEUE_PREFIX that is a hash tag ({…}), sends both streams with every key in that one slot', { timeout: 120_000 }, async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const prefix = `{${uniqueName('tagged')}}`;
    const config = testConfig('tagged', { SMTP_URL: sink.url, REDIS_CLUSTER_NODES: cluster.nodeList, QUEUE_PREFIX: prefix });
    const app = await startTestApp(config);
    cleanups.push(() => app.stop());
    const { settled, send } = apiClient(() => app);
    for (const id of await Promise.all([send('transactional', 'tagged-tx@example.com'), send('marketing', 'tagged-mk@example.com')])) expect((await settled(id)).status).toBe('sent');

    const reader = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
    cleanups.push(async () => reader.disconnect());
    await new Promise((resolve) => reader.once('ready', resolve));
    const keys: string[] = [];
    for (const node of reader.nodes('master')) keys.push(...(await node.keys(`${prefix.replace(/[{}]/g, '\\$&')}:*`)));
    expect(keys.some((k) => k.startsWith(`${prefix}:send-marketing:`))).toBe(true);
    expect(new Set(keys.map((k) => calculateSlot(k)))).toEqual(new Set([calculateSlot(prefix)]));
  });
});
