import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { WEBHOOK_QUEUE } from '../../src/shared/queues.ts';
import { WebhookJobs, WebhookLanes, WebhookRepository, WebhookSweep, type DeliveryView, type WebhookJobData } from '../../src/webhooks/index.ts';
import type { Config } from '../../src/config.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('a delivery whose job was lost (Redis lost it) is picked up again by the sweep', () => {
  let config: Config;
  let api_: TestApp;
  let worker: App | undefined;
  let receiver: WebhookReceiver;
  let queue: Queue<WebhookJobData>;
  const { api } = apiClient(() => api_);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    config = testConfig('webhooksweep', { WEBHOOK_ALLOW_PRIVATE: 'true' });
    // API only: the event is stored and its job queued, but nothing works the queue yet.
    api_ = await startTestApp(config, { api: true, worker: false });
    queue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
  });
  afterAll(async () => {
    await queue?.close();
    await worker?.close();
    await api_?.stop();
    await receiver?.close();
  });

  it('re-adds the lane entry and the job; a worker then delivers it', async () => {
    const created = await api('POST', '/v1/webhooks', { url: receiver.url, events: ['subscription.changed'] });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const address = `sweep-${Date.now().toString(36)}@example.com`;
    await api_.subscriptions.store.apply(address, { optedOutOfAll: true }, { source: 'api' });
    const [delivery] = (await api('GET', `/v1/webhooks/${id}/deliveries`)).body.deliveries as DeliveryView[];
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await queue.getJob(delivery!.id)).toBeDefined();

    // Redis loses the job and the lane.
    await queue.remove(delivery!.id);
    const lanes = new WebhookLanes({ redis: api_.ctx.redis, prefix: config.queuePrefix });
    const stored = await new WebhookRepository({ db: api_.ctx.db }).findDelivery(delivery!.id);
    await lanes.remove(stored!);
    expect(await queue.getJob(delivery!.id)).toBeUndefined();
    expect(await lanes.head(stored!)).toBeUndefined();

    const sweep = new WebhookSweep({ repository: new WebhookRepository({ db: api_.ctx.db }), lanes, jobs: new WebhookJobs({ queue }), logger: api_.ctx.logger, graceMs: 0 });
    expect(await sweep.run(Date.now() + 1)).toBe(1);
    expect(await queue.getJob(delivery!.id)).toBeDefined();
    expect(await lanes.head(stored!)).toBe(delivery!.id);
    expect(await sweep.run(Date.now() + 1)).toBe(1); // still pending: swept again, but its job exists, so no second job
    expect((await queue.getJobCounts('waiting')).waiting).toBe(1);

    worker = await createApp(config, { api: false, worker: true, queues: ['webhooks'] });
    await worker.start();
    const [hook] = await receiver.waitFor(address, 1);
    expect(hook!.body.type).toBe('subscription.changed');
    expect(receiver.received).toHaveLength(1);
  });
});
