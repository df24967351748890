import { html, type SafeHtml } from '../../http/html.ts';
import { formSnippet, type SubscriptionForm } from '../../preferences/index.ts';
import type { Locale } from '../../shared/locale.ts';
import type { SubscriptionType } from '../../subscriptions/index.ts';
import { banner, consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS, type ConsoleTexts } from '../console-texts.ts';

export const FORMS_PATH = '/console/forms';
export const formPath = (id: string): string => `${FORMS_PATH}/${encodeURIComponent(id)}`;

/** What the operator typed, shown again when the use case refuses it. */
export interface FormDraft {
  id: string;
  title: { en: string; de: string };
  intro: { en: string; de: string };
  types: string[];
}

export const EMPTY_DRAFT: FormDraft = { id: '', title: { en: '', de: '' }, intro: { en: '', de: '' }, types: [] };

interface PageBase {
  locale: Locale;
  viewer: ConsoleViewer;
  types: SubscriptionType[];
  done?: string;
  error?: string;
}

const csrfField = (viewer: ConsoleViewer): SafeHtml => html`<input type="hidden" name="csrf" value="${viewer.csrf}">`;

function notices(t: ConsoleTexts, o: PageBase): SafeHtml {
  return html`${o.done && t.formDone[o.done] ? banner('ok', [t.formDone[o.done]!]) : ''}${o.error ? banner('error', [t.refused, o.error]) : ''}`;
}

/** Title, intro and types: the fields create and edit share. `prefix` keeps ids unique on the page. */
function formFields(t: ConsoleTexts, locale: Locale, types: SubscriptionType[], draft: FormDraft, prefix: string): SafeHtml {
  const text = (id: string, name: string, label: string, value: string) =>
    html`<div class="field"><label for="${prefix}-${id}">${label}</label><input type="text" id="${prefix}-${id}" name="${name}" value="${value}" maxlength="200" required></div>`;
  const area = (id: string, name: string, label: string, value: string) =>
    html`<div class="field"><label for="${prefix}-${id}">${label}</label><textarea id="${prefix}-${id}" name="${name}" maxlength="2000">${value}</textarea></div>`;
  return html`${text('title-en', 'titleEn', t.titleEn, draft.title.en)}${text('title-de', 'titleDe', t.titleDe, draft.title.de)}
${area('intro-en', 'introEn', t.introEn, draft.intro.en)}${area('intro-de', 'introDe', t.introDe, draft.intro.de)}
<fieldset><legend>${t.formTypes}</legend>${types.map(
    (ty) =>
      html`<div class="check"><input type="checkbox" id="${prefix}-type-${ty.id}" name="types" value="${ty.id}"${draft.types.includes(ty.id) ? html` checked` : ''}><label for="${prefix}-type-${ty.id}">${ty.name[locale]}</label></div>`,
  )}</fieldset>`;
}

function enableButton(t: ConsoleTexts, viewer: ConsoleViewer, form: SubscriptionForm): SafeHtml {
  return html`<form class="inline" method="post" action="${formPath(form.id)}/enabled">${csrfField(viewer)}<input type="hidden" name="enabled" value="${form.enabled ? '0' : '1'}"><button type="submit" class="${form.enabled ? 'danger' : 'secondary'}" aria-label="${form.enabled ? t.disableForm(form.id) : t.enableForm(form.id)}">${form.enabled ? t.disable : t.enable}</button></form>`;
}

/** The list of forms (each with its URL and snippet) and the form to create one. */
export function renderFormsPage(o: PageBase & { forms: SubscriptionForm[]; publicUrl: string; draft?: FormDraft }): string {
  const t = CONSOLE_TEXTS[o.locale];
  const typeName = (id: string) => o.types.find((ty) => ty.id === id)?.name[o.locale] ?? id;
  const rows = o.forms.map((form) => {
    const { url, link } = formSnippet(o.publicUrl, form);
    return html`<tr><th scope="row"><a href="${formPath(form.id)}">${form.id}</a></th><td>${form.title.en}</td><td>${form.types.map(typeName).join(', ')}</td><td>${form.enabled ? t.yes : t.no}</td>
<td><a href="${url}">${url}</a><div class="field"><label for="snippet-${form.id}">${t.snippet}</label><textarea id="snippet-${form.id}" class="snippet" readonly>${link}</textarea></div></td><td>${enableButton(t, o.viewer, form)}</td></tr>`;
  });
  const draft = o.draft ?? EMPTY_DRAFT;
  const body = html`<h1>${t.sections.forms}</h1>
${notices(t, o)}
<section class="card" aria-labelledby="h-forms"><h2 id="h-forms">${t.allForms}</h2>
${o.forms.length === 0 ? html`<p>${t.noForms}</p>` : html`<p class="hint">${t.snippetHint}</p>${scrollTable('h-forms', html`<table><thead><tr><th scope="col">${t.formId}</th><th scope="col">${t.formTitle}</th><th scope="col">${t.formTypes}</th><th scope="col">${t.enabled}</th><th scope="col">${t.publicUrl}</th><td></td></tr></thead><tbody>${rows}</tbody></table>`)}`}
</section>
<section class="card" aria-labelledby="h-new"><h2 id="h-new">${t.createFormHeading}</h2>
<form method="post" action="${FORMS_PATH}">${csrfField(o.viewer)}
<div class="field"><label for="new-id">${t.formId}</label><p class="hint" id="new-id-hint">${t.formIdHint}</p><input type="text" id="new-id" name="id" value="${draft.id}" maxlength="63" required aria-describedby="new-id-hint"></div>
${formFields(t, o.locale, o.types, draft, 'new')}
<button type="submit">${t.createForm}</button></form></section>`;
  return consolePage({ locale: o.locale, title: t.sections.forms, viewer: o.viewer, current: 'forms', body });
}

/** One form: its fields to edit, enable/disable, its URL and snippet. */
export function renderFormPage(o: PageBase & { form: SubscriptionForm; publicUrl: string; draft?: FormDraft }): string {
  const t = CONSOLE_TEXTS[o.locale];
  const { form } = o;
  const { url, link } = formSnippet(o.publicUrl, form);
  const draft = o.draft ?? { id: form.id, title: form.title, intro: form.intro, types: form.types };
  const body = html`<p><a href="${FORMS_PATH}">${t.allForms}</a></p>
<h1>${t.editFormTitle(form.id)}</h1>
${notices(t, o)}
<div class="grid">
<section class="card" aria-labelledby="h-edit"><h2 id="h-edit">${t.editFormHeading}</h2>
<form method="post" action="${formPath(form.id)}">${csrfField(o.viewer)}
${formFields(t, o.locale, o.types, draft, 'edit')}
<button type="submit">${t.save}</button></form></section>
<section class="card" aria-labelledby="h-public"><h2 id="h-public">${t.publicUrl}</h2>
<p><a href="${url}">${url}</a></p>
<dl class="kv"><dt>${t.enabled}</dt><dd>${form.enabled ? t.yes : t.no}</dd></dl>
<p>${enableButton(t, o.viewer, form)}</p>
<div class="field"><label for="snippet">${t.snippet}</label><p class="hint" id="snippet-hint">${t.snippetHint}</p><textarea id="snippet" class="snippet" readonly aria-describedby="snippet-hint">${link}</textarea></div>
</section></div>`;
  return consolePage({ locale: o.locale, title: t.editFormTitle(form.id), viewer: o.viewer, current: 'forms', body });
}
