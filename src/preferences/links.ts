/**
 * Paths of the recipient pages. The template footer (src/templates) builds links with these and
 * the preferences module (src/preferences) serves them, so both sides agree in one place.
 */
export const PREFERENCES_PATH = '/preferences';
export const UNSUBSCRIBE_PATH = '/unsubscribe';
export const SUBSCRIBE_PATH = '/subscribe';
export const CONFIRM_PATH = '/subscribe/confirm';

const join = (publicUrl: string, path: string, token: string) => `${publicUrl.replace(/\/+$/, '')}${path}/${token}`;

/** Footer "manage preferences" link (token kind `p`). */
export const preferencesUrl = (publicUrl: string, token: string) => join(publicUrl, PREFERENCES_PATH, token);
/** RFC 8058 one-click / footer "unsubscribe" link (token kind `u`). */
export const unsubscribeUrl = (publicUrl: string, token: string) => join(publicUrl, UNSUBSCRIBE_PATH, token);
/** Re-subscribe confirmation link in the confirmation email (token kind `c`). */
export const confirmUrl = (publicUrl: string, token: string) => join(publicUrl, CONFIRM_PATH, token);
