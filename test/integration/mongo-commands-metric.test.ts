import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';

/** A counter's value for one label set, read from the Prometheus text. */
function counter(text: string, name: string, command: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{command="${command}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('the MongoDB connection (config-mongo.ts, docs/scaling.md)', () => {
  let app: App & { stop(): Promise<void> };
  beforeAll(async () => {
    app = await startTestApp(testConfig('mongometric'), { api: true, worker: false });
  });
  afterAll(() => app?.stop());

  it('counts the commands this process sends to MongoDB, by name, and the failed ones', async () => {
    const before = await (await fetch(`${app.url}/metrics`, { headers: authHeaders })).text();
    const res = await fetch(`${app.url}/v1/messages/aaaaaaaaaaaaaaaaaaaaaaaa`, { headers: authHeaders });
    expect(res.status).toBe(404);
    // A command the server refuses shows in the failures counter.
    await expect(app.ctx.db.db!.command({ noSuchCommand: 1 })).rejects.toThrow();
    const after = await (await fetch(`${app.url}/metrics`, { headers: authHeaders })).text();
    expect(counter(after, 'mailgate_mongo_commands_total', 'find')).toBeGreaterThan(counter(before, 'mailgate_mongo_commands_total', 'find'));
    expect(counter(after, 'mailgate_mongo_command_failures_total', 'noSuchCommand')).toBe(1);
    expect(after).toContain('# TYPE mailgate_mongo_commands_total counter');
  });

  it('connectMongo hands the replica-set options to the driver, and FerretDB takes them', () => {
    const options = app.ctx.db.getClient().options;
    expect(options.writeConcern).toMatchObject({ w: 'majority', wtimeoutMS: 10_000 });
    expect([options.retryWrites, options.retryReads, options.readPreference.mode]).toEqual([true, true, 'primary']);
  });
});
