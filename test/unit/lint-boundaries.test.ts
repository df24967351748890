import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run lint` must fail on an import cycle (type-only imports included) and on a deep import
// across domains. The project's own eslint.config.js runs over a small tree written for the purpose.
const config = resolve(import.meta.dirname, '../../eslint.config.js');
let root: string;

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(root, 'tree-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

async function lint(dir: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: config });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  return results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}: ${m.ruleId ?? 'fatal'}`));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailgate-lint-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('lint: domain boundaries', () => {
  it('passes a tree whose domains meet only through index.ts', async () => {
    const dir = await tree({
      'src/messages/index.ts': "export { send } from './send.ts';\n",
      'src/messages/send.ts': "import { policy } from '../subscriptions/index.ts';\nexport const send = (): boolean => policy();\n",
      'src/subscriptions/index.ts': "export const policy = (): boolean => true;\n",
    });
    expect(await lint(dir)).toEqual([]);
  });

  it('fails on an import cycle between two domains', async () => {
    const dir = await tree({
      'src/messages/index.ts': "import { policy } from '../subscriptions/index.ts';\nexport const send = (): boolean => policy();\n",
      'src/subscriptions/index.ts': "import { send } from '../messages/index.ts';\nexport const policy = (): boolean => typeof send === 'function';\n",
    });
    expect(await lint(dir)).toEqual(expect.arrayContaining(['src/messages/index.ts: import-x/no-cycle', 'src/subscriptions/index.ts: import-x/no-cycle']));
  });

  it('fails on a longer cycle through the composition root', async () => {
    const dir = await tree({
      'src/app.ts': "import { send } from './messages/index.ts';\nexport const root = { send };\n",
      'src/messages/index.ts': "import { policy } from '../subscriptions/index.ts';\nexport const send = (): boolean => policy();\n",
      'src/subscriptions/index.ts': "import { root } from '../app.ts';\nexport const policy = (): boolean => root !== undefined;\n",
    });
    expect(await lint(dir)).toEqual(expect.arrayContaining(['src/app.ts: import-x/no-cycle', 'src/subscriptions/index.ts: import-x/no-cycle']));
  });

  it('fails on a cycle closed by type-only imports (import-x/no-cycle skips them)', async () => {
    const dir = await tree({
      'src/console/console-texts.ts': "import { en } from './console-texts-en.ts';\nexport interface Texts { lang: string }\nexport const TEXTS = { en };\n",
      'src/console/console-texts-en.ts': "import type { Texts } from './console-texts.ts';\nexport const en: Texts = { lang: 'en' };\n",
    });
    expect(await lint(dir)).toEqual(['src/console/console-texts-en.ts: mailgate/no-type-cycle', 'src/console/console-texts.ts: mailgate/no-type-cycle']);
  });

  it('fails on a longer type-only cycle across domains, whatever form the type import takes', async () => {
    const dir = await tree({
      'src/messages/index.ts': "export { type Send } from './send.ts';\n",
      'src/messages/send.ts': "import { type Policy } from '../subscriptions/index.ts';\nexport type Send = (p: Policy) => boolean;\n",
      'src/subscriptions/index.ts': "import type { Send } from '../messages/index.ts';\nexport type Policy = (s: Send) => boolean;\n",
    });
    expect(await lint(dir)).toEqual([
      'src/messages/index.ts: mailgate/no-type-cycle',
      'src/messages/send.ts: mailgate/no-type-cycle',
      'src/subscriptions/index.ts: mailgate/no-type-cycle',
    ]);
  });

  it('reports a value cycle once, as import-x/no-cycle, even when a type import joins it', async () => {
    const dir = await tree({
      'src/messages/index.ts': "import { policy, type Mode } from '../subscriptions/index.ts';\nexport const send = (m: Mode): boolean => policy(m);\n",
      'src/subscriptions/index.ts': "import { send } from '../messages/index.ts';\nexport type Mode = 'a';\nexport const policy = (_m: Mode): boolean => typeof send === 'function';\n",
    });
    expect(await lint(dir)).toEqual(['src/messages/index.ts: import-x/no-cycle', 'src/subscriptions/index.ts: import-x/no-cycle']);
  });

  it('passes type-only imports that go one way', async () => {
    const dir = await tree({
      'src/console/console-texts-shape.ts': 'export interface Texts { lang: string }\n',
      'src/console/console-texts-en.ts': "import type { Texts } from './console-texts-shape.ts';\nexport const en: Texts = { lang: 'en' };\n",
      'src/console/console-texts.ts': "import { en } from './console-texts-en.ts';\nimport type { Texts } from './console-texts-shape.ts';\nexport const TEXTS: Record<string, Texts> = { en };\n",
    });
    expect(await lint(dir)).toEqual([]);
  });

  it('fails on a deep import into another domain', async () => {
    const dir = await tree({
      'src/messages/send.ts': "import { policy } from '../subscriptions/policy.ts';\nexport const send = (): boolean => policy();\n",
      'src/subscriptions/policy.ts': 'export const policy = (): boolean => true;\n',
    });
    expect(await lint(dir)).toEqual(['src/messages/send.ts: no-restricted-imports']);
  });
});
