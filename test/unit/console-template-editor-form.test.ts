import { describe, expect, it } from 'vitest';
import { EDITOR_TEXTS } from '../../src/console/console-texts-editor.ts';
import { editorPageHeaders, previewPageHeaders } from '../../src/console/console-security.ts';
import { fieldsOf, readEditorForm, sourceOf } from '../../src/console/template-editor-form.ts';

const t = EDITOR_TEXTS.en;
const names = (l: string) => (l === 'en' ? 'English' : 'German');
const form = (over: Record<string, unknown> = {}) => ({
  name: 'spring',
  kind: 'marketing',
  subscriptionType: 'newsletter',
  subject_en: 'Hi',
  subject_de: 'Hallo',
  mjml: '<mjml>\r\n<mj-body></mj-body>\r\n</mjml>',
  strings_en: '{"greeting": "Hello"}',
  strings_de: '{"greeting": "Hallo"}',
  sampleData: '{"firstName": "Ada"}',
  revision: '3',
  locale: 'de',
  ...over,
});

/** The editor's form: what the marketer typed comes back as typed; a source only when every field describes one. */
describe('the template editor form', () => {
  it('reads a complete form into a source, with the browser’s CRLF lines as LF (the checker counts lines)', () => {
    const fields = readEditorForm(form());
    expect(fields.previewLocale).toBe('de');
    const { source, errors } = sourceOf(fields, t, names);
    expect(errors).toEqual([]);
    expect(source).toEqual({ kind: 'marketing', subscriptionType: 'newsletter', subject: { en: 'Hi', de: 'Hallo' }, mjml: '<mjml>\n<mj-body></mj-body>\n</mjml>', strings: { en: { greeting: 'Hello' }, de: { greeting: 'Hallo' } }, sampleData: { firstName: 'Ada' } });
    // and back: the form of a stored source round-trips
    expect(sourceOf(fieldsOf('spring', source!, 3), t, names).source).toEqual(source);
  });

  it('names each field that does not describe a source, and keeps the typed text', () => {
    const fields = readEditorForm(form({ kind: 'bulk', strings_de: '{"greeting": 1}', sampleData: '[1, 2', mjml: '  ' }));
    const { source, errors } = sourceOf(fields, t, names);
    expect(source).toBeUndefined();
    expect(errors).toEqual([
      'Kind is required.',
      'MJML source is required.',
      'Strings (German, JSON) must be a JSON object of texts (every value a string).',
      expect.stringMatching(/^Sample data \(JSON\) is not valid JSON: /),
    ]);
    expect(fields.sampleData).toBe('[1, 2');
  });

  it('drops a subscription type from a template that is not marketing, and ignores fields of the wrong type', () => {
    const { source } = sourceOf(readEditorForm(form({ kind: 'transactional', subject_en: ['a', 'b'] })), t, names);
    expect(source?.subscriptionType).toBeUndefined();
    expect(source?.subject.en).toBe('');
  });
});

describe('the editor page’s CSP', () => {
  it('allows only its own script, by this response’s nonce; every other preview page allows none', () => {
    const csp = editorPageHeaders('<p style="color:red">x</p>', 'abc123')['Content-Security-Policy']!;
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe|https?:|\*)/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(previewPageHeaders('<p style="color:red">x</p>')['Content-Security-Policy']).not.toContain('script-src');
    // no bundle built: the editor page is as strict as the file template's preview page
    expect(editorPageHeaders('<p>x</p>', undefined)).toEqual(previewPageHeaders('<p>x</p>'));
  });
});
