// Logs carry no address (docs/rules.md §11): not from a URL holding one, not from an SMTP reply quoting one.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { deleteQueueKeys } from '../helpers/app.ts';
import { startOwnDatabase, type OwnDatabase } from '../helpers/ferretdb.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { eventually } from '../helpers/processes.ts';
import { sampleData } from './drill-helpers.ts';

const lines: string[] = [];
let db: OwnDatabase;
let sink: SmtpSink;
let app: App;
let redisUrl = '';
let prefix = '';

beforeAll(async () => {
  db = await startOwnDatabase();
  sink = await startSmtpSink({ parse: false });
  const config = testConfig('addrlogs', { MONGO_URL: db.url, SMTP_URL: sink.url, SEND_ATTEMPTS: '2', SEND_BACKOFF_MS: '50', SEND_BACKOFF_MAX_MS: '100' });
  redisUrl = config.redisUrl;
  prefix = config.queuePrefix;
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  app = await createApp(config, { api: true, worker: true }, createLogger('trace', out));
  await app.start();
});

afterAll(async () => {
  await app.close();
  await deleteQueueKeys(redisUrl, prefix);
  await sink.close();
  await db.destroy();
});

describe('addresses in logs', () => {
  it('are redacted from logged SMTP replies (kept on the record) and from the paths of failed requests', async () => {
    const hard = 'hard.bounce@logs.example.com';
    const soft = 'soft.defer@logs.example.com';
    const looked = 'looked.up@logs.example.com';
    sink.rejectRecipient(hard, `550 5.1.1 <${hard}>: mailbox unknown`);
    sink.rejectRecipient(soft, `451 4.2.0 <${soft}>: try again later`);
    const data = await sampleData(app.url!, 'welcome');
    const ids: string[] = [];
    for (const to of [hard, soft]) ids.push((await app.messages.enqueue({ kind: 'transactional', to, template: 'welcome', data })).id);
    await eventually(async () => {
      const views = await Promise.all(ids.map((id) => app.messages.getStatus(id)));
      return views.every((v) => v.status === 'failed');
    }, 20_000);
    const [hardView, softView] = await Promise.all(ids.map((id) => app.messages.getStatus(id)));
    expect(hardView).toMatchObject({ reason: 'hard_bounce' });
    expect(softView).toMatchObject({ reason: 'retries_exhausted' });
    // The record keeps the reply: operators need it.
    expect(JSON.stringify(hardView)).toContain(hard);

    await db.stop();
    const res = await fetch(`${app.url}/v1/addresses/${looked}`, { headers: authHeaders });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await db.start();

    const log = lines.join('');
    expect(log).toContain('"event":"delivery.failed"');
    expect(log).toContain('"event":"delivery.retry"');
    expect(log).toContain('"route":"/v1/addresses/:address"');
    expect(log).toContain('[address]');
    for (const address of [hard, soft, looked]) {
      expect(log).not.toContain(address);
      expect(log).not.toContain(encodeURIComponent(address));
      expect(log).not.toContain(address.split('@')[0]);
    }
  });
});
