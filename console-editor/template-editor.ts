/**
 * The template editor's script (docs/rules.md §14), bundled by scripts/build-editor.ts into one file
 * the console serves itself (no CDN). It only improves the page the server renders: CodeMirror
 * replaces the MJML textarea (which stays in the form and is what gets posted), and the preview and
 * the checker's findings follow the typing (one POST of the form, debounced). Without it every button still works as a form post.
 */
import { xml } from '@codemirror/lang-xml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Decoration, MatchDecorator, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { EditorView, basicSetup } from 'codemirror';

interface Finding {
  severity: 'error' | 'warning';
  message: string;
  field: string;
  line?: number;
}
interface Checked {
  subject: string;
  /** The rendered email; absent when the form does not describe a source yet. */
  html?: string;
  findings: Finding[];
  /** The findings as the page words them ("mjml, line 5"). */
  labels: string[];
  noFindings: string;
}

const DEBOUNCE_MS = 400;
// read while this script runs: CodeMirror's own <style> elements carry it
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

/** `{{…}}` in the MJML: Handlebars, marked over the XML highlighting. */
const handlebarsMatcher = new MatchDecorator({ regexp: /\{\{\{?[^{}]*\}?\}\}/g, decoration: Decoration.mark({ class: 'cm-handlebars' }) });
const handlebars = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = handlebarsMatcher.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = handlebarsMatcher.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);
const theme = EditorView.theme({
  '&': { border: '2px solid #6b7487', borderRadius: '.45rem', background: '#fff', fontSize: '.85rem' },
  '.cm-scroller': { maxHeight: '36rem', overflow: 'auto', fontFamily: 'ui-monospace,Menlo,Consolas,monospace' },
  '.cm-handlebars': { color: '#8a1c12', fontWeight: '600' },
  // the default active-line tint lowers the tokens' contrast below WCAG AA (axe): a left rule instead
  '.cm-activeLine': { backgroundColor: 'transparent', boxShadow: 'inset 3px 0 0 #1f4fd1' },
  '.cm-activeLineGutter': { backgroundColor: '#e8edf7' },
});

function start(form: HTMLFormElement, textarea: HTMLTextAreaElement): void {
  const live = form.dataset.live ?? '';
  const csrf = (form.elements.namedItem('csrf') as HTMLInputElement | null)?.value ?? '';
  const findingsBox = document.getElementById('findings');
  const previewBox = document.getElementById('preview');
  let timer: number | undefined;
  let sequence = 0;

  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      basicSetup,
      xml(),
      handlebars,
      theme,
      lintGutter(),
      EditorView.cspNonce.of(nonce),
      EditorView.contentAttributes.of({ 'aria-labelledby': 'mjml-label', 'aria-describedby': 'mjml-hint' }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        schedule();
      }),
    ],
  });
  textarea.hidden = true;
  textarea.insertAdjacentElement('afterend', view.dom);

  /** The page's findings list, rebuilt from the answer (text only: nothing from it becomes markup). */
  const showFindings = (checked: Checked) => {
    if (!findingsBox) return;
    findingsBox.replaceChildren();
    if (checked.findings.length === 0) {
      const p = document.createElement('p');
      p.textContent = checked.noFindings;
      findingsBox.append(p);
      return;
    }
    const list = document.createElement('ul');
    list.className = 'findings';
    checked.findings.forEach((f, i) => {
      const item = document.createElement('li');
      item.dataset.line = f.line ? String(f.line) : '';
      const strong = document.createElement('strong');
      strong.textContent = f.severity;
      const code = document.createElement('code');
      code.textContent = checked.labels[i] ?? f.field;
      item.append(strong, ' ', code, `: ${f.message}`);
      list.append(item);
    });
    findingsBox.append(list);
  };

  /** The findings in the MJML, in the gutter at their lines. */
  const showDiagnostics = (findings: Finding[]) => {
    const doc = view.state.doc;
    const diagnostics: Diagnostic[] = findings
      .filter((f) => f.field === 'mjml' && f.line !== undefined && f.line >= 1 && f.line <= doc.lines)
      .map((f) => {
        const line = doc.line(f.line!);
        return { from: line.from, to: line.to, severity: f.severity, message: f.message };
      });
    view.dispatch(setDiagnostics(view.state, diagnostics));
  };

  /** The preview: the rendered email in the sandboxed frame's srcdoc (the frame runs no script). */
  const showPreview = (checked: Checked) => {
    if (!previewBox || checked.html === undefined) return;
    let frame = previewBox.querySelector('iframe');
    if (!frame) {
      // the first preview of a new template: the server rendered none, so build its place as it would
      const list = document.createElement('dl');
      list.className = 'kv';
      const term = document.createElement('dt');
      term.textContent = previewBox.dataset.subjectLabel ?? '';
      list.append(term, document.createElement('dd'));
      frame = document.createElement('iframe');
      frame.className = 'preview';
      frame.setAttribute('sandbox', '');
      frame.title = previewBox.dataset.frameTitle ?? '';
      previewBox.replaceChildren(list, frame);
    }
    frame.srcdoc = checked.html;
    const subject = previewBox.querySelector('dd');
    if (subject) subject.textContent = checked.subject;
  };

  const refresh = async () => {
    const mine = ++sequence;
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') body.append(name, value);
    body.set('csrf', csrf);
    const res = await fetch(`${live}/check`, { method: 'POST', body, credentials: 'same-origin' });
    if (!res.ok || mine !== sequence) return; // a newer refresh is on its way
    const checked = (await res.json()) as Checked;
    showFindings(checked);
    showDiagnostics(checked.findings);
    showPreview(checked);
  };

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refresh().catch(() => undefined), DEBOUNCE_MS);
  }
  form.addEventListener('input', (event) => {
    if (event.target !== textarea) schedule();
  });
  form.addEventListener('change', schedule);
  void refresh().catch(() => undefined);
}

const form = document.getElementById('editor-form');
const textarea = document.getElementById('mjml');
if (form instanceof HTMLFormElement && textarea instanceof HTMLTextAreaElement) start(form, textarea);
