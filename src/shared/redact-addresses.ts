/**
 * Addresses out of log text (docs/rules.md §11). Log lines carry SMTP replies, error messages and bounce
 * text that strangers wrote, so this is a scan rather than the pattern it replaces,
 * `[^\s<>()[\]{}"',;:/\\]+(?:@|%40)[a-z0-9.-]+\.[a-z]{2,}` (case-insensitive), which is quadratic on
 * any long run of characters without an address in it. It replaces exactly what that pattern did.
 */

/** Longest text one log field carries; longer text is cut and says by how much. */
export const MAX_LOGGED_TEXT = 2000;

// The words an address can be part of: every address the old pattern found lies within one.
const WORD = /[^\s<>()[\]{}"',;:/\\]+/g;
const WORD_SEPARATOR = /[\s<>()[\]{}"',;:/\\]/;
// A domain's characters, read from a given position (sticky).
const DOMAIN_RUN = /[a-z0-9.-]*/iy;

function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/** Where a domain starting at `from` ends: after its last ".xx" (two letters or more) with something before it; -1 if none. */
function domainEnd(word: string, from: number): number {
  DOMAIN_RUN.lastIndex = from;
  DOMAIN_RUN.exec(word);
  const runEnd = DOMAIN_RUN.lastIndex;
  for (let dot = runEnd - 3; dot > from; dot -= 1) {
    if (word[dot] === '.' && isLetter(word[dot + 1]) && isLetter(word[dot + 2])) {
      let end = dot + 3;
      while (isLetter(word[end])) end += 1;
      return end;
    }
  }
  return -1;
}

/**
 * A word with its address replaced: everything from the word's start to the end of the domain after
 * its last `@` (or `%40`, URL-encoded) that has one. Each domain run is read once: it ends at the
 * next `@` or `%`, so the scan is linear.
 */
function redactWord(word: string): string {
  for (let at = word.length - 1; at >= 1; at -= 1) {
    const separator = word[at] === '@' ? 1 : word.startsWith('%40', at) ? 3 : 0;
    if (separator === 0) continue;
    const end = domainEnd(word, at + separator);
    if (end !== -1) return `[address]${word.slice(end)}`;
  }
  return word;
}

/** The text cut to MAX_LOGGED_TEXT, right after a word separator so that no address is cut in half (half of one would not be redacted). */
function bounded(text: string): string {
  if (text.length <= MAX_LOGGED_TEXT) return text;
  let end = MAX_LOGGED_TEXT;
  while (end > 0 && !WORD_SEPARATOR.test(text[end - 1] ?? '')) end -= 1;
  return `${text.slice(0, end)}… (${String(text.length - end)} more characters)`;
}

/** Replaces every email address in a text with `[address]`, in time linear in its length. */
export function replaceAddresses(text: string): string {
  return text.replace(WORD, redactWord);
}

/** For a log line: free text (SMTP replies, error messages) cut to MAX_LOGGED_TEXT, its addresses replaced with `[address]`. */
export function redactAddresses(text: string): string {
  return replaceAddresses(bounded(text));
}
