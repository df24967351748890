import { describe, expect, it } from 'vitest';
import { verifyBasicAuth } from '../../src/feedback/verify/index.ts';

const EXPECTED = 'postmark:s3cret:with-colon';
const header = (credentials: string, scheme = 'Basic'): string => `${scheme} ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('verifyBasicAuth', () => {
  it('accepts the configured credentials and names the user (a password may contain colons)', () => {
    expect(verifyBasicAuth(header(EXPECTED), EXPECTED)).toEqual({ ok: true, user: 'postmark' });
    expect(verifyBasicAuth(header(EXPECTED, 'basic'), EXPECTED).ok).toBe(true);
  });

  it('accepts non-ASCII credentials encoded as UTF-8', () => {
    expect(verifyBasicAuth(header('jürgen:pässwörd'), 'jürgen:pässwörd')).toEqual({ ok: true, user: 'jürgen' });
  });

  it.each([
    ['a wrong password', header('postmark:s3cret:with-colo')],
    ['a longer password', header(`${EXPECTED}x`)],
    ['a wrong user', header('postmarc:s3cret:with-colon')],
    ['the password alone', header('s3cret:with-colon')],
  ])('refuses %s with 401 and a challenge', (_label, value) => {
    expect(verifyBasicAuth(value, EXPECTED)).toEqual({
      ok: false, status: 401, code: 'basic_auth_invalid', reason: expect.any(String) as string,
      wwwAuthenticate: 'Basic realm="mailgate feedback", charset="UTF-8"',
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a bearer token', 'Bearer abc'],
    ['Basic without credentials', 'Basic '],
    ['credentials that are not base64', 'Basic postmark:s3cret'],
  ])('asks for credentials when there is %s', (_label, value) => {
    const result = verifyBasicAuth(value, EXPECTED, 'Postmark "webhooks"');
    expect(result).toMatchObject({ ok: false, status: 401, code: 'basic_auth_required' });
    if (!result.ok) expect(result.wwwAuthenticate).toBe('Basic realm="Postmark webhooks", charset="UTF-8"');
  });
});
