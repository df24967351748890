import { html } from '../http/html.ts';
import { SUBSCRIBE_PATH } from './links.ts';
import type { SubscriptionForm } from './subscription-forms.ts';

/** The public URL of a stored form. */
export const formUrl = (publicUrl: string, formId: string): string => `${publicUrl.replace(/\/+$/, '')}${SUBSCRIBE_PATH}/${encodeURIComponent(formId)}`;

/**
 * Copyable HTML for the console: a link to the form (its English title as the text). Every value
 * is escaped, so a title with markup stays text. No `<iframe>` variant: the recipient pages send
 * `frame-ancestors 'none'` and a SameSite=Strict form cookie, so an embedded form could not post.
 */
export function formSnippet(publicUrl: string, form: Pick<SubscriptionForm, 'id' | 'title'>): { url: string; link: string } {
  const url = formUrl(publicUrl, form.id);
  return { url, link: html`<a href="${url}">${form.title.en}</a>`.value };
}
