import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Schema } from 'mongoose';
import { createApp } from '../../src/app.ts';
import { authHeaders, testConfig, uniqueName } from '../helpers/env.ts';
import { deleteQueueKeys, startTestApp } from '../helpers/app.ts';

const config = testConfig('foundation');

describe('foundation against real services', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    app = await startTestApp(config, { api: true, worker: false });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('writes and reads a document through mongoose on the real server', async () => {
    const Thing = app.ctx.db.model('RoundTrip', new Schema({ name: String, count: Number, tags: [String] }));
    const created = await Thing.create({ name: 'ümlaut ✓', count: 3, tags: ['a', 'b'] });
    const read = await Thing.findById(created._id).lean();
    expect(read).toMatchObject({ name: 'ümlaut ✓', count: 3, tags: ['a', 'b'] });
    await Thing.updateOne({ _id: created._id }, { $inc: { count: 2 } });
    expect((await Thing.findById(created._id).lean())?.count).toBe(5);
  });

  it('runs a BullMQ job round trip on real Redis', async () => {
    const prefix = uniqueName('bull');
    const connection = { url: config.redisUrl, maxRetriesPerRequest: null };
    const queue = new Queue('roundtrip', { connection, prefix });
    const events = new QueueEvents('roundtrip', { connection, prefix });
    const worker = new Worker('roundtrip', async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection, prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      expect(await job.waitUntilFinished(events, 10_000)).toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await deleteQueueKeys(config.redisUrl, prefix);
    }
  });

  it('answers /healthz 200 with both services up', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ mongo: 'up', redis: 'up' });
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${app.url}/metrics`, { headers: authHeaders });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('mailgate_process_cpu_user_seconds_total');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${app.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses the API without a valid bearer key', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key-0123456789', 'Basic abc']) {
      const res = await fetch(`${app.url}/v1/subscription-types`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('refuses the whole API when no key is configured', async () => {
    const keyless = await createApp({ ...testConfig('keyless'), apiKey: undefined }, { api: true, worker: false });
    await keyless.start();
    try {
      const res = await fetch(`${keyless.url}/v1/subscription-types`, { headers: { authorization: 'Bearer anything-at-all-123' } });
      expect(res.status).toBe(401);
    } finally {
      await keyless.close();
    }
  });
});
