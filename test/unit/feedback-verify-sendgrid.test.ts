import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSendgridPublicKey, verifySendgrid } from '../../src/feedback/verify/index.ts';

/** A P-256 key pair, the public half exported the way SendGrid's settings page shows it. */
function keyPair(): { privateKey: KeyObject; publicKeyB64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKeyB64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

const sendgrid = keyPair();
const now = new Date('2026-03-01T12:00:00Z');
const nowSeconds = String(Math.floor(now.getTime() / 1000));
const body = Buffer.from('[{"email":"ann@example.com","event":"bounce","type":"bounce","sg_event_id":"ZXZ0"}]\r\n');

function signed(timestamp: string, rawBody: Buffer, privateKey = sendgrid.privateKey): string {
  return sign('sha256', Buffer.concat([Buffer.from(timestamp), rawBody]), privateKey).toString('base64');
}

describe('verifySendgrid', () => {
  it('accepts the timestamp + raw body signed with the configured key', () => {
    const result = verifySendgrid({ publicKey: sendgrid.publicKeyB64, signature: signed(nowSeconds, body), timestamp: nowSeconds, rawBody: body, now });
    expect(result).toEqual({ ok: true });
  });

  it('accepts the sample from SendGrid’s own library tests (sendgrid-nodejs, eventwebhook.spec.js)', () => {
    const result = verifySendgrid({
      publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==',
      signature: 'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=',
      timestamp: '1588788367',
      rawBody: Buffer.from('{"category":"example_payload","event":"test_event","message_id":"message_id"}'),
      now: new Date(1588788367 * 1000 + 30_000),
    });
    expect(result).toEqual({ ok: true });
  });

  it.each([
    ['a body changed by one byte', { rawBody: Buffer.from(body.toString().replace('bounce', 'bounc3')) }],
    ['a body re-serialized without its trailing CRLF', { rawBody: body.subarray(0, body.length - 2) }],
    ['a signature made with another key', { signature: signed(nowSeconds, body, keyPair().privateKey) }],
    ['the signature of another timestamp', { signature: signed(String(Number(nowSeconds) - 1), body) }],
    ['a signature that is not DER', { signature: Buffer.from('not a signature').toString('base64') }],
  ])('refuses %s with 403', (_label, patch) => {
    const input = { publicKey: sendgrid.publicKeyB64, signature: signed(nowSeconds, body), timestamp: nowSeconds, rawBody: body, now, ...patch };
    expect(verifySendgrid(input)).toMatchObject({ ok: false, status: 403, code: 'sendgrid_signature_invalid' });
  });

  it('refuses a correctly signed body when the configured key is another one', () => {
    const input = { publicKey: keyPair().publicKeyB64, signature: signed(nowSeconds, body), timestamp: nowSeconds, rawBody: body, now };
    expect(verifySendgrid(input)).toMatchObject({ ok: false, status: 403, code: 'sendgrid_signature_invalid' });
  });

  it.each([
    ['eleven minutes old', -11 * 60, undefined],
    ['ten minutes in the future', 10 * 60, undefined],
    ['two minutes old with a one-minute window', -2 * 60, 60_000],
  ])('refuses a signed timestamp %s', (_label, offsetSeconds, maxAgeMs) => {
    const timestamp = String(Number(nowSeconds) + offsetSeconds);
    const result = verifySendgrid({ publicKey: sendgrid.publicKeyB64, signature: signed(timestamp, body), timestamp, rawBody: body, now, maxAgeMs });
    expect(result).toMatchObject({ ok: false, status: 403, code: 'sendgrid_timestamp_stale' });
  });

  it('accepts a timestamp nine minutes old', () => {
    const timestamp = String(Number(nowSeconds) - 9 * 60);
    expect(verifySendgrid({ publicKey: sendgrid.publicKeyB64, signature: signed(timestamp, body), timestamp, rawBody: body, now }).ok).toBe(true);
  });

  it('refuses a signed timestamp that is not unix seconds', () => {
    const timestamp = '2026-03-01T12:00:00Z';
    const result = verifySendgrid({ publicKey: sendgrid.publicKeyB64, signature: signed(timestamp, body), timestamp, rawBody: body, now });
    expect(result).toMatchObject({ ok: false, status: 403, code: 'sendgrid_timestamp_stale' });
  });

  it.each([
    ['signature', { signature: undefined }],
    ['timestamp', { timestamp: undefined }],
    ['both (empty)', { signature: '', timestamp: '' }],
  ])('answers 401 when the %s header is missing', (_label, patch) => {
    const input = { publicKey: sendgrid.publicKeyB64, signature: signed(nowSeconds, body), timestamp: nowSeconds, rawBody: body, now, ...patch };
    expect(verifySendgrid(input)).toMatchObject({ ok: false, status: 401, code: 'sendgrid_signature_missing' });
  });

  it('takes a key parsed once at start-up, and refuses to parse a key that is not P-256', () => {
    const key = parseSendgridPublicKey(sendgrid.publicKeyB64);
    expect(verifySendgrid({ publicKey: key, signature: signed(nowSeconds, body), timestamp: nowSeconds, rawBody: body, now }).ok).toBe(true);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(() => parseSendgridPublicKey(p384)).toThrow(/P-256/);
    expect(() => parseSendgridPublicKey('bm90IGEga2V5')).toThrow();
  });
});
