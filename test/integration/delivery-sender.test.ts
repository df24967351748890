import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { MessageSender, TransientSendError, type MailTransport, type OutgoingMail } from '../../src/delivery/index.ts';
import { createMessageMetrics } from '../../src/messages/message-metrics.ts';
import { OutcomeRecorder, type SentCheckpoint } from '../../src/messages/index.ts';
import { AppError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.ts';
import type { RenderInput, TemplateRenderer } from '../../src/templates/types.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';

// The send use case against the real database, with its collaborators replaced where a test must
// make them fail on purpose (a renderer that throws, a store that is away, a transport that counts).
let app: Awaited<ReturnType<typeof startTestApp>>;
const sent: OutgoingMail[] = [];
const transport: MailTransport = {
  send: async (mail) => (sent.push(mail), { messageId: `<${mail.id}@test>`, response: '250 OK' }),
  close: async () => undefined,
};

beforeAll(async () => {
  app = await startTestApp(testConfig('sender'), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
});

function sender(overrides: { renderer?: Partial<TemplateRenderer>; store?: Partial<SubscriptionStore>; transport?: MailTransport; outcomes?: OutcomeRecorder } = {}): MessageSender {
  const real = app.templates!.renderer;
  const renderer: TemplateRenderer = { list: () => real.list(), get: (n) => real.get(n), render: (i: RenderInput) => real.render(i), requiredFields: (n, l) => real.requiredFields(n, l), ...overrides.renderer };
  const real2 = app.subscriptions!.store;
  const store: SubscriptionStore = {
    get: (a) => real2.get(a),
    getMany: (a) => real2.getMany(a),
    apply: (a, change, context) => real2.apply(a, change, context),
    ...overrides.store,
  };
  return new MessageSender({
    messages: app.messages!.repository,
    store,
    renderer,
    transport: overrides.transport ?? transport,
    config: { consentMode: 'opt-out', mailFrom: 'x@mailgate.example' },
    outcomes: overrides.outcomes ?? new OutcomeRecorder({ messages: app.messages!.repository }),
    metrics: createMessageMetrics(new Registry(), app.messages!.queues),
    logger: createLogger('silent'),
  });
}

const attempt = (overrides: Partial<Parameters<MessageSender['send']>[1]> = {}) => ({
  number: 1,
  last: false,
  checkpoint: undefined,
  saveCheckpoint: async () => undefined,
  ...overrides,
});

async function enqueue(kind: 'marketing' | 'transactional', to: string): Promise<string> {
  const template = kind === 'marketing' ? 'newsletter' : 'welcome';
  const data = app.templates!.renderer.get(template)!.sampleData;
  const { id } = await app.messages!.enqueue({ kind, to, template, data, ...(kind === 'marketing' ? { subscriptionType: 'newsletter' } : {}) });
  return id;
}

describe('MessageSender', () => {
  it('fails closed: when the state cannot be read, marketing is not sent and the job is retried', async () => {
    const id = await enqueue('marketing', 'closed@example.com');
    const broken = sender({ store: { getMany: async () => Promise.reject(new Error('database away')) } });
    const before = sent.length;
    await expect(broken.send(id, attempt())).rejects.toBeInstanceOf(TransientSendError);
    expect(sent.length).toBe(before);
    expect((await app.messages!.getStatus(id)).status).toBe('queued');
  });

  it('records a render failure as failed with its reason, and is not retried', async () => {
    const id = await enqueue('transactional', 'render@example.com');
    const broken = sender({
      renderer: {
        render: () => {
          throw new AppError('render_failed', 'Template "welcome" needs firstName');
        },
      },
    });
    expect(await broken.send(id, attempt())).toEqual({ outcome: 'failed', reason: 'render_failed' });
    expect(await app.messages!.getStatus(id)).toMatchObject({ status: 'failed', reason: 'render_failed', detail: expect.stringContaining('firstName') });
  });

  it('fails a message whose template no longer exists', async () => {
    const id = await enqueue('transactional', 'gone@example.com');
    const noTemplate = sender({ renderer: { get: () => undefined } });
    expect(await noTemplate.send(id, attempt())).toEqual({ outcome: 'failed', reason: 'unknown_template' });
  });

  it('never sends a final message twice, and records from a checkpoint instead of re-sending', async () => {
    const id = await enqueue('transactional', 'twice@example.com');
    const s = sender();
    const before = sent.length;
    expect(await s.send(id, attempt())).toEqual({ outcome: 'sent' });
    expect(await s.send(id, attempt({ number: 2 }))).toEqual({ outcome: 'skipped' });
    expect(sent.length).toBe(before + 1);

    const other = await enqueue('transactional', 'checkpoint@example.com');
    const sentAt = new Date('2026-01-02T03:04:05Z');
    const outcome = await s.send(other, attempt({ number: 2, checkpoint: { smtpMessageId: '<cp@test>', smtpResponse: '250 queued', sentAt: sentAt.toISOString() } }));
    expect(outcome).toEqual({ outcome: 'sent' });
    expect(sent.length).toBe(before + 1);
    expect(await app.messages!.getStatus(other)).toMatchObject({ status: 'sent', sentAt: sentAt.toISOString(), attempts: 2 });
  });

  it('gives up on the last attempt with failed / retries_exhausted', async () => {
    const id = await enqueue('transactional', 'exhausted@example.com');
    const broken = sender({ store: { getMany: async () => Promise.reject(new Error('database away')) } });
    await expect(broken.send(id, attempt({ number: 12, last: true }))).rejects.toBeInstanceOf(TransientSendError);
    expect(await app.messages!.getStatus(id)).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 12 });
    expect((await app.messages!.getStatus(id)).decision).toBeUndefined(); // no state was read: nothing was decided
  });

  it('keeps the decision on an outcome recorded after it: retries exhausted by the relay, or recorded from a checkpoint', async () => {
    const decision = { rule: 'transactional', consentEvent: null, consentMode: 'opt-out' };
    const busy = await enqueue('transactional', 'busy@example.com');
    const unreachable: MailTransport = { send: async () => Promise.reject(Object.assign(new Error('Try again later'), { responseCode: 451 })), close: async () => undefined };
    await expect(sender({ transport: unreachable }).send(busy, attempt({ number: 12, last: true }))).rejects.toBeInstanceOf(TransientSendError);
    expect(await app.messages!.getStatus(busy)).toMatchObject({ status: 'failed', reason: 'retries_exhausted', decision });

    // sent, but the outcome could not be written: the checkpoint keeps the decision for the retry
    const id = await enqueue('transactional', 'unrecorded@example.com');
    let kept: SentCheckpoint | undefined;
    const down = new OutcomeRecorder({ messages: { recordOutcomes: async () => Promise.reject(new Error('database away')) } });
    await expect(sender({ outcomes: down }).send(id, attempt({ saveCheckpoint: async (c: SentCheckpoint) => void (kept = c) }))).rejects.toBeInstanceOf(TransientSendError);
    expect(kept?.decision).toEqual({ rule: 'transactional', stateVersion: 0, consentMode: 'opt-out' });
    expect(await sender().send(id, attempt({ number: 2, checkpoint: kept }))).toEqual({ outcome: 'sent' });
    expect(await app.messages!.getStatus(id)).toMatchObject({ status: 'sent', attempts: 2, decision });
  });

  it('skips a job whose message record does not exist', async () => {
    expect(await sender().send('0123456789abcdef01234567', attempt())).toEqual({ outcome: 'skipped' });
  });
});
