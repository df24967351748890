import type { TemplateSource } from '../../src/shared/template-authoring.ts';
import { authHeaders } from './env.ts';

/** A small marketing template that passes the checker; `line` is where `{{t.hello}}` sits (line 4). */
export function validSource(marker = 'version one', overrides: Partial<TemplateSource> = {}): TemplateSource {
  return {
    kind: 'marketing',
    subscriptionType: 'newsletter',
    subject: { en: 'Hi {{firstName}} ({{marker}})', de: 'Hallo {{firstName}} ({{marker}})' },
    mjml: ['<mjml>', '  <mj-body>', '    <mj-section>', '      <mj-column>', `        <mj-text>{{t.hello}} {{firstName}}, ${marker}</mj-text>`, '      </mj-column>', '    </mj-section>', '  </mj-body>', '</mjml>', ''].join('\n'),
    strings: { en: { hello: 'Hello' }, de: { hello: 'Hallo' } },
    sampleData: { firstName: 'Ann', marker },
    ...overrides,
  };
}

/** The MJML of `validSource` with `line` (1-based) replaced: for the checker's refusals. */
export function withLine(line: number, text: string): string {
  const lines = validSource().mjml.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

/** A JSON call of the API with the key. */
export async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; body: Record<string, unknown> & { error?: { code: string; details?: unknown } } }> {
  const res = await fetch(`${base}${path}`, { method, headers: { ...authHeaders, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, text, body: json && text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
