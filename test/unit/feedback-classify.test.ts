import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyPermanent, classifySmtpReply, classifyStatus, type StatusInput } from '../../src/feedback/classify.ts';
import type { FeedbackType } from '../../src/feedback/feedback-event.ts';

type Row = [label: string, input: StatusInput, type: FeedbackType, detail: string | undefined];

// docs/feedback.md, written as cases. Decision recorded here: 4.7.x (greylisting, rate limits,
// "try later, your IP is suspicious") is a policy block of our mail, not a mailbox problem,
// so it is ignored like 5.7.x rather than counted as a soft bounce.
const rows: Row[] = [
  // hard: the mailbox or domain does not exist or is disabled
  ['5.1.1 bad mailbox', { statusCode: '5.1.1' }, 'hard_bounce', 'bad_mailbox'],
  ['5.1.2 bad domain', { statusCode: '5.1.2' }, 'hard_bounce', 'bad_domain'],
  ['5.1.10 null MX / RecipientNotFound', { statusCode: '5.1.10' }, 'hard_bounce', 'bad_address'],
  ['5.2.1 mailbox disabled', { statusCode: '5.2.1' }, 'hard_bounce', 'mailbox_disabled'],
  ['5.1.3 bad address syntax', { statusCode: '5.1.3' }, 'hard_bounce', 'bad_address_syntax'],
  ['5.1.6 mailbox moved', { statusCode: '5.1.6' }, 'hard_bounce', 'mailbox_moved'],
  ['status with a trailing comment', { statusCode: '5.1.1 (bad destination mailbox address)' }, 'hard_bounce', 'bad_mailbox'],
  ['generic 5.0.0 refined by the diagnostic', { statusCode: '5.0.0', diagnostic: 'smtp; 550 5.1.1 <a@b.example>: user unknown' }, 'hard_bounce', 'bad_mailbox'],
  ['enhanced code only in the diagnostic', { diagnostic: 'smtp; 550 5.1.1 <a@b.example>... User unknown' }, 'hard_bounce', 'bad_mailbox'],
  ['qmail (#5.1.1)', { diagnostic: 'Sorry, no mailbox here by that name. (#5.1.1)' }, 'hard_bounce', 'bad_mailbox'],
  // soft: full, temporary, network
  ['4.2.2 mailbox full', { statusCode: '4.2.2' }, 'soft_bounce', 'mailbox_full'],
  ['5.2.2 mailbox full', { statusCode: '5.2.2' }, 'soft_bounce', 'mailbox_full'],
  ['4.4.1 no answer from host', { statusCode: '4.4.1' }, 'soft_bounce', 'network'],
  ['5.4.4 unable to route', { statusCode: '5.4.4' }, 'soft_bounce', 'network'],
  ['4.3.1 mail system full', { statusCode: '4.3.1' }, 'soft_bounce', 'system'],
  ['5.3.2 system not accepting mail', { statusCode: '5.3.2' }, 'soft_bounce', 'system'],
  // delayed: the relay is still trying; never a soft bounce
  ['DSN Action delayed', { action: 'delayed', statusCode: '4.4.7' }, 'delayed', undefined],
  ['Action delayed wins over a 5.1.1', { action: 'Delayed', statusCode: '5.1.1' }, 'delayed', undefined],
  ['5.1.1 next to "over quota" is a mislabelled full mailbox', { statusCode: '5.1.1', diagnostic: '550 5.1.1 user is over quota' }, 'soft_bounce', 'mailbox_full'],
  ['452 with a 5.x.x enhanced code stays temporary', { smtpCode: 452, diagnostic: '452 5.1.1 try later' }, 'soft_bounce', 'temporary'],
  // not the recipient's fault
  ['4.7.1 greylisted / deferred by policy', { statusCode: '4.7.1' }, 'ignored', 'policy'],
  ['5.1.7 bad sender syntax', { statusCode: '5.1.7' }, 'ignored', 'sender_side'],
  ['5.1.8 bad sender domain', { statusCode: '5.1.8' }, 'ignored', 'sender_side'],
  ['4.1.8 sender domain temporarily unresolvable', { statusCode: '4.1.8' }, 'ignored', 'sender_side'],
  ['5.7.1 relaying denied / spam block', { statusCode: '5.7.1', diagnostic: '554 5.7.1 <a@b.example>: Relay access denied' }, 'ignored', 'policy'],
  ['5.7.26 DMARC', { statusCode: '5.7.26' }, 'ignored', 'policy'],
  ['5.7.606 banned sending IP', { statusCode: '5.7.606' }, 'ignored', 'policy'],
  ['5.2.3 message too large', { statusCode: '5.2.3' }, 'ignored', 'message_size'],
  ['5.3.4 message too big for system', { statusCode: '5.3.4' }, 'ignored', 'message_size'],
  // delivered
  ['Action delivered', { action: 'delivered', statusCode: '2.0.0' }, 'delivered', undefined],
  ['Action relayed', { action: 'relayed' }, 'delivered', undefined],
  ['Action expanded', { action: 'expanded' }, 'delivered', undefined],
  ['2.0.0 status', { statusCode: '2.0.0' }, 'delivered', undefined],
  // basic 5xx code only: the text decides, conservatively
  ['550 mailbox unavailable', { smtpCode: 550, diagnostic: '550 Requested action not taken: mailbox unavailable' }, 'hard_bounce', 'user_unknown'],
  ['550 no such user', { smtpCode: 550, diagnostic: 'No such user here' }, 'hard_bounce', 'user_unknown'],
  ['550 does not exist', { diagnostic: '550 The mailbox does not exist' }, 'hard_bounce', 'user_unknown'],
  ['550 invalid recipient', { diagnostic: '550 Invalid recipient <a@b.example>' }, 'hard_bounce', 'user_unknown'],
  ['5.5.0 generic, text names the mailbox', { statusCode: '5.5.0', diagnostic: '550 5.5.0 Requested action not taken: mailbox unavailable' }, 'hard_bounce', 'user_unknown'],
  ['550 recipient address rejected: access denied', { diagnostic: '550 Recipient address rejected: Access denied' }, 'ignored', 'policy'],
  ['550 spam', { diagnostic: '550 Message rejected as spam' }, 'ignored', 'policy'],
  ['554 blacklist', { diagnostic: '554 Your IP is on a blacklist' }, 'ignored', 'policy'],
  ['550 poor reputation', { diagnostic: '550 Sender reputation too low' }, 'ignored', 'policy'],
  ['550 sender address rejected', { diagnostic: '550 Sender address rejected: Domain not found' }, 'ignored', 'sender_side'],
  ['554 relay access denied', { diagnostic: '554 Relay access denied' }, 'ignored', 'sender_side'],
  ['552 mailbox full', { diagnostic: '552 Mailbox full' }, 'soft_bounce', 'mailbox_full'],
  ['550 over quota', { diagnostic: '550 user is over quota' }, 'soft_bounce', 'mailbox_full'],
  ['550 try again later', { diagnostic: '550 Service busy, try again later' }, 'soft_bounce', 'temporary'],
  ['451 temporary local problem', { diagnostic: '451 temporary local problem' }, 'soft_bounce', 'temporary'],
  ['450 greylisted', { diagnostic: '450 Greylisted, come back in 5 minutes' }, 'soft_bounce', 'temporary'],
  ['550 unrecognised text', { diagnostic: '550 Administrative prohibition' }, 'ignored', 'unknown'],
  ['5.6.0 content error', { statusCode: '5.6.0', diagnostic: 'Content rejected' }, 'ignored', 'unknown'],
  // no code at all: never hard
  ['no code, "user unknown"', { diagnostic: 'user unknown' }, 'ignored', 'unknown'],
  ['no code, "mailbox full"', { diagnostic: 'the mailbox is full' }, 'soft_bounce', 'mailbox_full'],
  ['an IP address is not an enhanced code', { diagnostic: 'host 5.1.1.9 said: no such user' }, 'ignored', 'unknown'],
  ['nothing at all', {}, 'ignored', 'unknown'],
];

describe('classifyStatus', () => {
  it.each(rows)('%s', (_label, input, type, detail) => {
    expect(classifyStatus(input)).toEqual(detail === undefined ? { type } : { type, detail });
  });

  it('never calls a 4xx reply a hard bounce, whatever the text says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 499 }), fc.string(), (code, text) => {
        expect(classifyStatus({ smtpCode: code, diagnostic: `${code} ${text}` }).type).not.toBe('hard_bounce');
      }),
    );
  });

  it('never calls a 4.x.x status a hard bounce, nor a delayed action anything but delayed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 20 }), fc.string(), (subject, detail, text) => {
        expect(classifyStatus({ statusCode: `4.${subject}.${detail}`, diagnostic: text }).type).not.toBe('hard_bounce');
        expect(classifyStatus({ action: 'delayed', statusCode: `5.${subject}.${detail}`, diagnostic: text }).type).toBe('delayed');
      }),
    );
  });
});

describe('classifyPermanent (provider says permanent)', () => {
  it.each<[StatusInput, FeedbackType, string | undefined]>([
    [{ statusCode: '5.1.1' }, 'hard_bounce', 'bad_mailbox'],
    [{}, 'hard_bounce', 'General'],
    [{ statusCode: '5.0.0', diagnostic: '550 unrecognised' }, 'hard_bounce', 'General'],
    [{ statusCode: '5.1.8' }, 'ignored', 'sender_side'],
    [{ statusCode: '5.7.1' }, 'ignored', 'policy'],
    [{ diagnostic: '552 5.2.2 Mailbox full' }, 'soft_bounce', 'mailbox_full'],
  ])('%o → %s', (input, type, detail) => {
    expect(classifyPermanent(input, 'General')).toEqual({ type, detail });
  });
});

const smtpError = (fields: Record<string, unknown>): Error => Object.assign(new Error(String(fields.response ?? fields.message ?? 'error')), fields);

describe('classifySmtpReply (worker, synchronous failures)', () => {
  it.each<[string, unknown, { type: FeedbackType; detail?: string; statusCode?: string; permanent: boolean }]>([
    ['550 5.1.8 bad sender', smtpError({ responseCode: 550, response: '550 5.1.8 Bad sender address', command: 'RCPT TO' }), { type: 'ignored', detail: 'sender_side', statusCode: '5.1.8', permanent: true }],
    ['550 5.1.1 user unknown', smtpError({ responseCode: 550, response: '550 5.1.1 <x@y.example> User unknown', command: 'RCPT TO' }), { type: 'hard_bounce', detail: 'bad_mailbox', statusCode: '5.1.1', permanent: true }],
    ['452 4.2.2 mailbox full', smtpError({ responseCode: 452, response: '452 4.2.2 Mailbox full', command: 'RCPT TO' }), { type: 'soft_bounce', detail: 'mailbox_full', statusCode: '4.2.2', permanent: false }],
    ['550 5.7.1 spam at DATA', smtpError({ responseCode: 550, response: '550 5.7.1 Message rejected as spam', command: 'DATA' }), { type: 'ignored', detail: 'policy', statusCode: '5.7.1', permanent: true }],
    ['550 without enhanced code', smtpError({ responseCode: 550, response: '550 No such user here', command: 'RCPT TO' }), { type: 'hard_bounce', detail: 'user_unknown', permanent: true }],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), { type: 'ignored', detail: 'connection', permanent: false }],
    ['ETIMEDOUT at CONN', smtpError({ code: 'ETIMEDOUT', message: 'Connection timeout', command: 'CONN' }), { type: 'ignored', detail: 'connection', permanent: false }],
    ['421 closing channel', smtpError({ responseCode: 421, response: '421 4.3.2 Service not available, closing transmission channel', command: 'RCPT TO' }), { type: 'ignored', detail: 'connection', statusCode: '4.3.2', permanent: false }],
    ['535 auth failure', smtpError({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication credentials invalid', command: 'AUTH PLAIN' }), { type: 'ignored', detail: 'sender_side', statusCode: '5.7.8', permanent: true }],
    ['550 at MAIL FROM', smtpError({ responseCode: 550, response: '550 5.1.1 sender unknown', command: 'MAIL FROM' }), { type: 'ignored', detail: 'sender_side', statusCode: '5.1.1', permanent: true }],
    ['not an Error', 'boom', { type: 'ignored', detail: 'connection', permanent: false }],
  ])('%s', (_label, err, expected) => {
    const got = classifySmtpReply(err);
    expect({ type: got.type, detail: got.detail, statusCode: got.statusCode, permanent: got.permanent }).toEqual({ statusCode: undefined, ...expected });
    expect(got.diagnostic).not.toMatch(/\n/);
  });

  it('keeps the reply as a one-line diagnostic of at most 500 characters', () => {
    const got = classifySmtpReply(smtpError({ responseCode: 550, response: `550-5.1.1 first\r\n550 5.1.1 ${'x'.repeat(900)}` }));
    expect(got.diagnostic.startsWith('550-5.1.1 first 550 5.1.1 x')).toBe(true);
    expect(got.diagnostic.length).toBe(500);
    expect(got.smtpCode).toBe(550);
  });
});
