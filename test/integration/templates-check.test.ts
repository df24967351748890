import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs `tsx scripts/templates.ts check` (what `npm run templates -- check` runs), against a folder. */
async function check(templatesDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node_modules/.bin/tsx', ['scripts/templates.ts', 'check'], {
      env: { ...process.env, TEMPLATES_DIR: templatesDir, NODE_ENV: 'development' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run templates -- check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on the shipped templates', async () => {
    const result = await check('templates');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok {2}6 templates in templates: newsletter \(marketing, newsletter\)/);
  });

  it('fails on a misspelled MJML tag, naming the file and line', async () => {
    cpSync('templates', dir, { recursive: true });
    const file = join(dir, 'welcome', 'template.mjml');
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('<mj-column>')) + 1;
    lines[line - 1] = lines[line - 1]!.replace('<mj-column>', '<mj-colum>');
    lines[line + 3] = lines[line + 3]!.replace('</mj-column>', '</mj-colum>');
    writeFileSync(file, lines.join('\n'));
    const result = await check(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error  ${file}:${line}: MJML: Element mj-colum doesn't exist or is not registered (<mj-colum>)`);
    expect(result.stderr).toMatch(/\d+ problems? in /);
  });
});
