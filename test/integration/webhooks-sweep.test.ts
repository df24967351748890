import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { WEBHOOK_QUEUE } from '../../src/shared/queues.ts';
import { WebhookJobs, WebhookLanes, WebhookRepository, WebhookSweep, type DeliveryView, type WebhookJobData } from '../../src/webhooks/index.ts';
import type { Config } from '../../src/config.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('deliveries stored in MongoDB: the sweep, retention, erasure', () => {
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

  it('a delivery whose job and lane Redis lost is swept back once; a worker then delivers it; retention removes it once finished', async () => {
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

    // Retention removes finished deliveries only.
    const repository = new WebhookRepository({ db: api_.ctx.db });
    await eventually(async () => (await repository.findDelivery(delivery!.id))?.status === 'delivered');
    expect(await repository.deleteFinishedBefore(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await repository.findDelivery(delivery!.id)).toBeNull();
  });

  it('erasure: deleteForAddress removes every delivery about the address and no other', async () => {
    for (const w of (await api('GET', '/v1/webhooks')).body.webhooks as { id: string }[]) await api('DELETE', `/v1/webhooks/${w.id}`);
    const created = await api('POST', '/v1/webhooks', { url: receiver.url, events: ['subscription.changed'] });
    const id = String(created.body.id);
    const [a, b] = [`erase-a-${Date.now().toString(36)}@example.com`, `erase-b-${Date.now().toString(36)}@example.com`];
    await api_.subscriptions.store.apply(a, { optedOutOfAll: true }, { source: 'api' });
    await api_.subscriptions.store.apply(a, { optedOutOfAll: false }, { source: 'api' });
    await api_.subscriptions.store.apply(b, { optedOutOfAll: true }, { source: 'api' });
    const repository = new WebhookRepository({ db: api_.ctx.db });
    expect(await repository.deleteForAddress(a)).toBe(2);
    const left = (await api('GET', `/v1/webhooks/${id}/deliveries`)).body.deliveries as DeliveryView[];
    expect(left).toHaveLength(1);
    expect(JSON.stringify(await Promise.all(left.map((d) => repository.findDelivery(d.id))))).toContain(b);
  });
});
