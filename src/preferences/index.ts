// The preferences domain: the recipient pages (preference page, one-click unsubscribe, re-subscribe
// form and its confirmation link) and the tokens in email links. The composition root (src/app.ts)
// builds a PreferencesDeps and mounts createRecipientRouter; other folders import only from here.
export type { PreferencesDeps, ConfirmationMessage, Enqueue } from './route-deps.ts';
export { createRecipientRouter } from './recipient-router.ts';
export { resolveFormTypes } from './form-types.ts';
export { prepareUsedTokens } from './used-token-store.ts';
export { formRateLimits, DEFAULT_FORM_LIMITS } from './rate-limits.ts';
export type { FormLimits, FormRateLimits, ConfirmationBudget } from './rate-limits.ts';
export { usedTokenModel, type UsedTokenModel } from './used-token.model.ts';
export { recipientActionsCounter } from './recipient-actions.ts';
export { TokenService, type TokenPayload, type VerifyResult } from './tokens.ts';
// the footer (src/templates) builds its links with these, so both sides agree on the paths
export { preferencesUrl, unsubscribeUrl, confirmUrl, PREFERENCES_PATH, UNSUBSCRIBE_PATH } from './links.ts';
// subscription forms: the console manages them, the recipient router serves them at /subscribe/<id>
export { SubscriptionForms, type SubscriptionForm } from './subscription-forms.ts';
export { FORM_ID, TITLE_MAX, INTRO_MAX, type CreateFormRequest, type UpdateFormRequest } from './subscription-form-input.ts';
export { formSnippet, formUrl } from './form-snippet.ts';
