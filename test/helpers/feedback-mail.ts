import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createTransport } from 'nodemailer';

/** The message id the mail fixtures in test/fixtures/feedback/mail/ name (always followed by `@`). */
export const FIXTURE_ID = '65a1b2c3d4e5f60718293a4b';
const FIXTURES = resolve(import.meta.dirname, '../fixtures/feedback/mail');

/**
 * Delivers raw mail to the feedback listener as an MTA would (null sender). Resolves with the server's
 * final reply ("250 …"), or with the code of the first refusal ("550", "421"…) as a string.
 */
export async function deliverReport(port: number, rcpt: string, raw: string): Promise<string> {
  const mta = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return String((await mta.sendMail({ envelope: { from: '', to: rcpt }, raw })).response);
  } catch (err) {
    return String((err as { responseCode?: number }).responseCode ?? 'error');
  } finally {
    mta.close();
  }
}

/**
 * A mail fixture about one of our messages: `ref` replaces the fixture's message id (`<id>` or
 * `<id>.<tag>`, as mailgate sent it), and each `[from, to]` pair of `replacements` is applied after.
 */
export async function reportFixture(file: string, ref: string, replacements: [string, string][] = []): Promise<string> {
  let text = (await readFile(resolve(FIXTURES, file), 'utf8')).replaceAll(FIXTURE_ID, ref);
  for (const [from, to] of replacements) text = text.replaceAll(from, to);
  return text;
}
