import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { readFileTemplateSource } from '../../src/templates/index.ts';

const run = promisify(execFile);

/** Runs `tsx scripts/templates.ts push …` (what `npm run templates -- push` runs) against the test's database and prefix. */
async function push(config: Config, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node_modules/.bin/tsx', ['scripts/templates.ts', 'push', ...args], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGO_URL: config.mongoUrl, REDIS_URL: config.redisUrl, QUEUE_PREFIX: config.queuePrefix, MAILGATE_SECRET: config.secrets[0], PUBLIC_URL: config.publicUrl },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run templates -- push (real FerretDB, Redis)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-push-'));
  const config = testConfig('templates_push');
  let app: App & { stop(): Promise<void> };
  beforeAll(async () => {
    app = await startTestApp(config, { api: true, worker: false });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a file template folder as a stored template, and a running process sees it without a restart', async () => {
    const result = await push(config, ['templates/newsletter', '--as', 'letter', '--note', 'migrated']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok  letter version 1 published from templates/newsletter');
    expect(result.stdout).toContain('not carried over');
    const stored = await app.templates.authoring.get('letter');
    expect(stored.published).toMatchObject({ version: 1, note: 'migrated', author: expect.stringMatching(/^cli:/) as unknown });
    expect(stored.published?.source.subscriptionType).toBe('newsletter');
    // the running app learnt of it from the announcement (or its re-read): it renders like the file template
    await eventually(() => app.templates.renderer.get('letter')?.version === 1, 6000, 20);
    expect(app.templates.renderer.get('letter')).toMatchObject({ origin: 'stored', version: 1, kind: 'marketing' });

    const again = await push(config, ['templates/newsletter', '--as', 'letter']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('ok  letter version 2 published');
  });

  it('the checker passes every shipped file template (what a marketer copies to edit)', async () => {
    for (const name of app.templates.renderer.list().filter((t) => t.origin === 'file').map((t) => t.name)) {
      const file = readFileTemplateSource(join('templates', name))!;
      expect(await app.templates.authoring.check(file.source), name).toEqual([]);
    }
  });

  it('refuses a name a file template has, and a folder the checker refuses, naming the line; nothing is published', async () => {
    const taken = await push(config, ['templates/welcome']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('template_name_taken');

    cpSync('templates/welcome', join(dir, 'scripted'), { recursive: true });
    const file = join(dir, 'scripted', 'template.mjml');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('<mj-column>')) + 1;
    lines.splice(at, 0, '<mj-text><a href="javascript:alert(1)">x</a></mj-text>');
    writeFileSync(file, lines.join('\n'));
    const refused = await push(config, [join(dir, 'scripted')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('template_invalid');
    expect(refused.stderr).toContain(`scripted/template.mjml:${at + 1}: javascript: URLs are not allowed`);
    expect((await app.templates.authoring.get('scripted')).versions).toEqual([]);
  });
});
