import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FailoverTransport, RedisRelayState, createNodemailerTransport, createRelayMetrics, relayOf, type NodemailerTransport, type OutgoingMail, type SendResult } from '../../src/delivery/index.ts';
import { classifySmtpReply } from '../../src/feedback/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { MessageTags } from '../../src/shared/message-tag.ts';
import { startGreetingRefuser, startHangingUpRelay, startRelaySilentAfterData, startSilentRelay, type BrokenRelay } from '../helpers/broken-relays.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const tags = new MessageTags(['relay-failover-test-secret-0123456789']);
const STREAM = 'transactional';
const DOMAIN = 'mailgate.example';

/** Everything a test opened, closed after it (transports before sinks: a pooled connection holds a closing sink open). */
let transports: Array<{ close(): Promise<void> }> = [];
let servers: Array<{ close(): Promise<void> }> = [];
let prefixes: string[] = [];

afterEach(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await Promise.all(servers.map((s) => s.close()));
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  transports = [];
  servers = [];
  prefixes = [];
});
afterAll(async () => {
  await redis.quit();
});

const sink = async (port?: number): Promise<SmtpSink> => {
  const started = await startSmtpSink(port === undefined ? {} : { port });
  servers.push(started);
  return started;
};
const broken = async (relay: Promise<BrokenRelay>): Promise<BrokenRelay> => {
  const started = await relay;
  servers.push(started);
  return started;
};

type Relay = NodemailerTransport & { url: string };
const nodemailer = (url: string): Relay => {
  const transport = createNodemailerTransport({ env: 'test', smtpUrl: url, smtpPoolSize: 2, dkim: undefined, mailFrom: `noreply@${DOMAIN}`, emlDir: tmpdir() }, createLogger('silent'), tags);
  transports.push(transport);
  return Object.assign(transport, { url });
};

interface Harness {
  transport: FailoverTransport;
  registry: Registry;
  logs: Array<Record<string, unknown>>;
  /** Moves the transport's clock forward. */
  advance(ms: number): void;
  probes(): number;
  /** Which relay took a message: each result names its relay's URL (without credentials). */
  role(result: SendResult): 'primary' | 'secondary';
}

/** A FailoverTransport as a process builds it: its own registry, logger and Redis connection. */
function failover(primary: Relay, secondary: Relay, opts: { prefix: string; failAfter: number; coolOffMs?: number }): Harness {
  const registry = new Registry();
  const logs: Array<Record<string, unknown>> = [];
  const out = new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>), done()) });
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let offset = 0;
  let probes = 0;
  const transport = new FailoverTransport({
    stream: STREAM,
    primary,
    secondary,
    probe: () => {
      probes += 1;
      return primary.verify();
    },
    state: new RedisRelayState({ redis: connection, prefix: opts.prefix }),
    metrics: createRelayMetrics(registry),
    logger: createLogger('info', out),
    failAfter: opts.failAfter,
    coolOffMs: opts.coolOffMs ?? 60_000,
    now: () => Date.now() + offset,
  });
  transports.push({ close: async () => void (await connection.quit()) });
  const roleOf = (result: SendResult) => (result.relay === relayOf(primary.url) ? 'primary' : result.relay === relayOf(secondary.url) ? 'secondary' : expect.fail(`unknown relay ${result.relay}`));
  return { transport, registry, logs, advance: (ms) => void (offset += ms), probes: () => probes, role: roleOf };
}

const newPrefix = (): string => {
  const prefix = `mailgate-test-failover-${randomUUID()}`;
  prefixes.push(prefix);
  return prefix;
};
const stateKey = (prefix: string): string => `${prefix}:relay-failover:${STREAM}`;

const mail = (to = 'someone@example.com'): OutgoingMail => ({
  id: randomBytes(12).toString('hex'),
  from: `News <news@${DOMAIN}>`,
  to,
  subject: 'Hello',
  html: '<p>Hello</p>',
  text: 'Hello',
  headers: {},
});
const messageIds = (...sinks: SmtpSink[]): string[] => sinks.flatMap((s) => s.messages.map((m) => m.header('message-id') ?? ''));
const events = (h: Harness, event: string) => h.logs.filter((line) => line.event === event);
async function metric(h: Harness, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  const found = h.registry.getSingleMetric(name);
  if (!found) return [];
  return (await found.get()).values.map((v) => ({ labels: { ...v.labels } as Record<string, string | number>, value: v.value }));
}
async function rejection(work: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await work;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected the send to fail');
}

describe('relay failover', () => {
  it('fails over when the primary stops mid-run: every message arrives exactly once, and the stream returns once the primary is back', async () => {
    const primary = await sink();
    const secondary = await sink();
    const prefix = newPrefix();
    const h = failover(nodemailer(primary.url), nodemailer(secondary.url), { prefix, failAfter: 3 });

    // Three sends at a time, each retried the way its job would be after an error.
    const sent: Array<{ id: string; result: SendResult; attempts: number }> = [];
    const queue = Array.from({ length: 30 }, () => mail());
    let stopping: Promise<void> | undefined;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        for (let attempt = 1; ; attempt += 1) {
          try {
            sent.push({ id: next.id, result: await h.transport.send(next), attempts: attempt });
            break;
          } catch (err) {
            if (attempt === 3) throw err;
          }
        }
        if (sent.length === 10) stopping ??= primary.close();
      }
    };
    await Promise.all([worker(), worker(), worker()]);

    expect(sent).toHaveLength(30);
    const ids = messageIds(primary, secondary);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    for (const { result } of sent) expect(ids).toContain(result.messageId);
    // Where each message landed is what its result says.
    const onPrimary = new Set(primary.messages.map((m) => m.header('message-id')));
    for (const { result } of sent) expect(h.role(result)).toBe(onPrimary.has(result.messageId) ? 'primary' : 'secondary');
    expect(primary.count).toBeGreaterThanOrEqual(10);
    expect(secondary.count).toBeGreaterThan(0);

    expect(await redis.get(stateKey(prefix))).toMatch(/^\d+$/);
    expect(events(h, 'delivery.relay_failover')).toEqual([expect.objectContaining({ stream: STREAM, to: 'secondary', trouble: 'refused' })]);
    expect(await metric(h, 'mailgate_relay_failovers_total')).toEqual([{ labels: { stream: STREAM, to: 'secondary' }, value: 1 }]);
    expect(await metric(h, 'mailgate_relay_failed_over')).toEqual([{ labels: { stream: STREAM }, value: 1 }]);

    // The cool-off is over but the primary is still down: the probe fails, another cool-off.
    h.advance(61_000);
    expect(h.role(await h.transport.send(mail()))).toBe('secondary');
    expect(h.probes()).toBe(1);
    expect(events(h, 'delivery.relay_probe_failed')).toHaveLength(1);

    // Back on the same port, but within the new cool-off: still the secondary, no probe.
    const restarted = await sink(primary.port);
    expect(h.role(await h.transport.send(mail()))).toBe('secondary');
    expect(h.probes()).toBe(1);
    await stopping;

    // After it: one send probes (one probe at a time), sends made meanwhile use the secondary,
    // and from then on the primary takes everything.
    h.advance(61_000);
    const during = await Promise.all([h.transport.send(mail()), h.transport.send(mail()), h.transport.send(mail())]);
    expect(h.probes()).toBe(2);
    expect(during.map((r) => h.role(r)).sort()).toEqual(['primary', 'secondary', 'secondary']);
    const after = await Promise.all([h.transport.send(mail()), h.transport.send(mail())]);
    expect(after.map((r) => h.role(r))).toEqual(['primary', 'primary']);
    expect(restarted.count).toBe(3);
    expect(await redis.exists(stateKey(prefix))).toBe(0);
    expect(events(h, 'delivery.relay_restored')).toEqual([expect.objectContaining({ stream: STREAM, to: 'primary' })]);
    expect(await metric(h, 'mailgate_relay_failovers_total')).toEqual(
      expect.arrayContaining([
        { labels: { stream: STREAM, to: 'secondary' }, value: 1 },
        { labels: { stream: STREAM, to: 'primary' }, value: 1 },
      ]),
    );
    expect(await metric(h, 'mailgate_relay_failed_over')).toEqual([{ labels: { stream: STREAM }, value: 0 }]);
    expect(new Set(messageIds(primary, secondary, restarted)).size).toBe(30 + 2 + 5);
  });

  it('does not switch for a primary that refuses every message with 550 5.7.1: the messages fail as without failover', async () => {
    const primary = await sink();
    const secondary = await sink();
    const to = 'blocked@example.com';
    primary.rejectRecipient(to, '550 5.7.1 Message refused by policy');
    const prefix = newPrefix();
    const h = failover(nodemailer(primary.url), nodemailer(secondary.url), { prefix, failAfter: 1 });

    const plain = await rejection(nodemailer(primary.url).send(mail(to)));
    for (let i = 0; i < 3; i += 1) {
      const err = await rejection(h.transport.send(mail(to)));
      expect(err).toMatchObject({ code: plain.code, command: plain.command, responseCode: 550, response: plain.response });
      expect(classifySmtpReply(err)).toMatchObject({ permanent: true, type: 'ignored', detail: 'policy' });
    }
    expect(secondary.count).toBe(0);
    expect(await redis.exists(stateKey(prefix))).toBe(0);
    expect(events(h, 'delivery.relay_failover')).toEqual([]);
    expect(await metric(h, 'mailgate_relay_failovers_total')).toEqual([]);
    expect(h.role(await h.transport.send(mail('other@example.com')))).toBe('primary');
  });

  it.each([
    ['answers 421 at the greeting', () => broken(startGreetingRefuser('421 4.3.2 Too busy, closing'))],
    // nodemailer's pool retries such a connection a few times (about 2.5 s) before it gives up.
    ['hangs up before the greeting', () => broken(startHangingUpRelay())],
    [
      'refuses connections',
      async () => {
        const closed = await startSilentRelay();
        await closed.close();
        return closed;
      },
    ],
  ])('switches at once when the primary %s, and sends that message through the secondary', async (_case, primaryRelay) => {
    const primary = await primaryRelay();
    const secondary = await sink();
    const prefix = newPrefix();
    const h = failover(nodemailer(primary.url), nodemailer(secondary.url), { prefix, failAfter: 3 });

    const result = await h.transport.send(mail());
    expect(h.role(result)).toBe('secondary');
    expect(messageIds(secondary)).toEqual([result.messageId]);
    expect(await redis.exists(stateKey(prefix))).toBe(1);
    expect(events(h, 'delivery.relay_failover')).toEqual([expect.objectContaining({ trouble: 'refused' })]);
  });

  it('switches after failAfter greeting timeouts in a row; the message that tips it goes through the secondary', async () => {
    const silent = await broken(startSilentRelay());
    const secondary = await sink();
    const prefix = newPrefix();
    const h = failover(nodemailer(`${silent.url}?greetingTimeout=200`), nodemailer(secondary.url), { prefix, failAfter: 2 });

    const message = mail();
    const first = await rejection(h.transport.send(message));
    expect(first).toMatchObject({ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' });
    expect(await redis.exists(stateKey(prefix))).toBe(0);
    expect(secondary.count).toBe(0);

    // The job's retry of the same message: the second timeout in a row.
    const retried = await h.transport.send(message);
    expect(h.role(retried)).toBe('secondary');
    expect(events(h, 'delivery.relay_failover')).toEqual([expect.objectContaining({ trouble: 'timeout' })]);

    // From now on the hung relay is not even connected to.
    expect(h.role(await h.transport.send(mail()))).toBe('secondary');
    expect(silent.connections).toBe(2);
    expect(messageIds(secondary)).toHaveLength(2);
  });

  it('never sends a message through the secondary when the primary may have taken it (no reply after DATA)', async () => {
    const hung = await broken(startRelaySilentAfterData());
    const secondary = await sink();
    const prefix = newPrefix();
    const h = failover(nodemailer(`${hung.url}?socketTimeout=300`), nodemailer(secondary.url), { prefix, failAfter: 1 });

    const err = await rejection(h.transport.send(mail()));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' });
    expect(hung.dataEnded).toBe(1);
    expect(secondary.count).toBe(0);
    // The relay is in trouble, so the stream switches for what comes next.
    expect(await redis.exists(stateKey(prefix))).toBe(1);
    expect(events(h, 'delivery.relay_failover')).toEqual([expect.objectContaining({ trouble: 'dropped' })]);
  });

  it('shares the state: another process sees the stream failed over and does not try its primary', async () => {
    const refuser = await broken(startGreetingRefuser('421 4.3.2 Too busy, closing'));
    const secondary = await sink();
    const prefix = newPrefix();
    const one = failover(nodemailer(refuser.url), nodemailer(secondary.url), { prefix, failAfter: 1 });
    const other = failover(nodemailer(refuser.url), nodemailer(secondary.url), { prefix, failAfter: 1 });

    expect(await metric(other, 'mailgate_relay_failed_over')).toEqual([{ labels: { stream: STREAM }, value: 0 }]);
    expect(one.role(await one.transport.send(mail()))).toBe('secondary');
    const connections = refuser.connections;

    expect(await metric(other, 'mailgate_relay_failed_over')).toEqual([{ labels: { stream: STREAM }, value: 1 }]);
    expect(other.role(await other.transport.send(mail()))).toBe('secondary');
    expect(refuser.connections).toBe(connections);
    expect(events(other, 'delivery.relay_failover')).toEqual([]);
    expect(await metric(other, 'mailgate_relay_failovers_total')).toEqual([]);
  });
});
