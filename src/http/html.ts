/**
 * A tiny, escape-by-default HTML builder for mailgate's own pages (the recipient pages, the
 * console): every interpolated value is escaped unless it is already `SafeHtml` (built by `html`
 * itself). No template engine needed.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Renders a sentence built by `sentence(placeholder)` with `value` set in a highlighted span. */
export function highlight(sentence: (value: string) => string, value: string, className = 'addr'): SafeHtml {
  const parts = sentence('\u0000').split('\u0000');
  return html`${parts.map((part, i) => (i === 0 ? part : html`<span class="${className}">${value}</span>${part}`))}`;
}
