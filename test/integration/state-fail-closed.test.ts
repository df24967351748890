import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { MessageSender, TransientSendError, type MailTransport, type OutgoingMail } from '../../src/delivery/index.ts';
import { OutcomeRecorder, createMessageMetrics } from '../../src/messages/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';

// A stored state whose `address` disagrees with its `_id` must never read as "no state" for the
// address asked about (which would let marketing out): the read fails, and the send fails closed.
let app: Awaited<ReturnType<typeof startTestApp>>;
const sent: OutgoingMail[] = [];
const transport: MailTransport = { send: async (mail) => (sent.push(mail), { messageId: `<${mail.id}@test>`, response: '250 OK' }), close: async () => undefined };

beforeAll(async () => {
  app = await startTestApp(testConfig('failclosed'), { api: true, worker: false });
  await app.ctx.db.collection('address_states').insertOne({
    _id: 'victim@example.com' as never,
    address: 'other@example.com',
    optedOutOfAll: true,
    subscriptions: { newsletter: 'unsubscribed' },
    suppression: null,
    updatedAt: new Date(),
    version: 1,
    lastEventId: 'victim@example.com#1',
  });
});
afterAll(async () => {
  await app?.stop();
});

describe('a state document whose fields disagree', () => {
  it('makes getMany fail (corrupt_state) instead of answering "never seen"', async () => {
    await expect(app.subscriptions.store.getMany(['victim@example.com'])).rejects.toMatchObject({ code: 'corrupt_state' });
  });

  it('keeps marketing to that address unsent: the job is retried, nothing goes out', async () => {
    const data = app.templates.renderer.get('newsletter')!.sampleData;
    const { id } = await app.messages.enqueue({ kind: 'marketing', to: 'victim@example.com', template: 'newsletter', subscriptionType: 'newsletter', data });
    const sender = new MessageSender({
      messages: app.messages.repository,
      store: app.subscriptions.store,
      renderer: app.templates.renderer,
      transport,
      config: { consentMode: 'opt-out', mailFrom: 'x@mailgate.example' },
      outcomes: new OutcomeRecorder({ messages: app.messages.repository }),
      metrics: createMessageMetrics(new Registry(), app.messages.queues),
      logger: createLogger('silent'),
    });
    await expect(sender.send(id, { number: 1, last: false, checkpoint: undefined, saveCheckpoint: async () => undefined })).rejects.toBeInstanceOf(TransientSendError);
    expect(sent).toHaveLength(0);
    expect((await app.messages.getStatus(id)).status).toBe('queued');
  });
});
