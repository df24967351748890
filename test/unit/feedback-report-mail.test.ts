import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FeedbackEvent, FeedbackType } from '../../src/feedback/feedback-event.ts';
import { parseReportMail, type ReportMailInput, type ReportMailResult } from '../../src/feedback/report-mail.ts';

const OUR_ID = '65a1b2c3d4e5f60718293a4b';
const OUR_HEADER_ID = `${OUR_ID}@mail.example.com`;
const VERP = `bounces+${OUR_ID}@bounce.example.com`;
const receivedAt = new Date('2024-01-20T08:00:00Z');

const raw = (name: string): Buffer => readFileSync(new URL(`../fixtures/feedback/mail/${name}`, import.meta.url));

function input(name: string, overrides: Partial<ReportMailInput> = {}): ReportMailInput {
  return { raw: raw(name), envelopeTo: [VERP], bounceDomain: 'bounce.example.com', complaintAddress: 'fbl@example.com', receivedAt, ...overrides };
}

function reportOf(result: ReportMailResult): Extract<ReportMailResult, { kind: 'report' }> {
  if (result.kind !== 'report') throw new Error(`expected a report, got ${JSON.stringify(result)}`);
  return result;
}
const eventsOf = (result: ReportMailResult): FeedbackEvent[] => reportOf(result).events.map((e) => e.event);
const refsOf = (result: ReportMailResult) => reportOf(result).refs;

interface Expected {
  type: FeedbackType;
  address: string | undefined;
  statusCode: string | undefined;
  detail: string | undefined;
  provider: 'dsn' | 'arf';
}

const summary = (e: FeedbackEvent): Expected => ({ type: e.type, address: e.address, statusCode: e.statusCode, detail: e.detail, provider: e.provider as 'dsn' | 'arf' });
// The parser only reads: which message a report proves is report-proof.ts's decision.
const ourMessage = { headerMessageId: OUR_HEADER_ID };

describe('parseReportMail: bounces', () => {
  it.each<[string, Expected]>([
    ['postfix-dsn-user-unknown.eml', { type: 'hard_bounce', address: 'nobody@example.org', statusCode: '5.1.1', detail: 'bad_mailbox', provider: 'dsn' }],
    ['postfix-dsn-delayed.eml', { type: 'delayed', address: 'slow@example.net', statusCode: '4.4.1', detail: undefined, provider: 'dsn' }],
    ['gmail-dsn-user-unknown.eml', { type: 'hard_bounce', address: 'does.not.exist@gmail.com', statusCode: '5.1.1', detail: 'bad_mailbox', provider: 'dsn' }],
    ['outlook-ndr-recipient-not-found.eml', { type: 'hard_bounce', address: 'nobody@contoso.com', statusCode: '5.1.10', detail: 'bad_address', provider: 'dsn' }],
    ['outlook-ndr-policy.eml', { type: 'ignored', address: 'reader@hotmail.com', statusCode: '5.7.606', detail: 'policy', provider: 'dsn' }],
    ['exim-text-mailbox-unavailable.eml', { type: 'hard_bounce', address: 'jane@example.net', statusCode: undefined, detail: 'user_unknown', provider: 'dsn' }],
    ['exim-text-quota.eml', { type: 'soft_bounce', address: 'bob@example.net', statusCode: undefined, detail: 'mailbox_full', provider: 'dsn' }],
    ['qmail-text-bounce.eml', { type: 'hard_bounce', address: 'nobody@example.net', statusCode: '5.1.1', detail: 'bad_mailbox', provider: 'dsn' }],
  ])('%s', async (name, expected) => {
    const result = await parseReportMail(input(name));
    const events = eventsOf(result);
    expect(events.map(summary)).toEqual([expected]);
    expect(events[0]?.message).toEqual(ourMessage);
    expect(events[0]?.at).toEqual(receivedAt);
    // The VERP envelope first, then the returned Message-ID: both name our (untagged fixture) message.
    expect(refsOf(result)).toEqual([{ id: OUR_ID }]);
  });

  it('keeps the DSN diagnostic as one unfolded line and keys the event on the DSN Message-ID and recipient', async () => {
    const [event] = eventsOf(await parseReportMail(input('postfix-dsn-user-unknown.eml')));
    expect(event?.diagnostic).toBe('smtp; 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table');
    expect(event?.eventId).toBe('20240115100005.3F1A2C0412@mx.example.org:nobody@example.org');
  });

  it('names the message from the returned headers alone when the envelope is not a VERP address', async () => {
    const result = await parseReportMail(input('outlook-ndr-recipient-not-found.eml', { envelopeTo: ['postmaster@bounce.example.com'], bounceDomain: undefined }));
    expect(eventsOf(result)[0]?.message).toEqual(ourMessage);
    expect(refsOf(result)).toEqual([{ id: OUR_ID }]);
  });

  it('names the message from the VERP envelope alone when the bounce returns nothing of the original', async () => {
    const stripped = raw('postfix-dsn-user-unknown.eml').toString('utf8').replace(/^Message-ID: <65a1.*$/m, 'X-Removed: yes');
    const result = await parseReportMail({ ...input('postfix-dsn-user-unknown.eml'), raw: Buffer.from(stripped) });
    expect(eventsOf(result)[0]?.message).toEqual({});
    expect(refsOf(result)).toEqual([{ id: OUR_ID }]);
  });

  it('reads tagged references from the envelope and the returned Message-ID, strongest first', async () => {
    const tag = '0123456789abcdef';
    const tagged = raw('postfix-dsn-user-unknown.eml').toString('utf8').replaceAll(`${OUR_ID}@mail.example.com`, `${OUR_ID}.${tag}@mail.example.com`);
    const result = await parseReportMail({ ...input('postfix-dsn-user-unknown.eml'), raw: Buffer.from(tagged), envelopeTo: [`bounces+${OUR_ID}.${tag}@BOUNCE.example.com`] });
    // The returned Return-Path is the fixture's old untagged VERP: kept, after the tagged envelope.
    expect(refsOf(result)).toEqual([{ id: OUR_ID, tag }, { id: OUR_ID }]);
    expect(eventsOf(result)[0]?.message).toEqual({ headerMessageId: `${OUR_ID}.${tag}@mail.example.com` });
  });

  it('never makes a hard bounce out of text without a reply code', async () => {
    const events = eventsOf(await parseReportMail(input('generic-text-no-code.eml')));
    expect(events.map((e) => [e.address, e.type, e.detail])).toEqual([
      ['carol@webmail.example.com', 'ignored', 'unknown'],
      ['dave@webmail.example.com', 'soft_bounce', 'mailbox_full'],
    ]);
  });

  it('gives the same event ids for the same mail parsed twice', async () => {
    const first = eventsOf(await parseReportMail(input('exim-text-mailbox-unavailable.eml')));
    const second = eventsOf(await parseReportMail(input('exim-text-mailbox-unavailable.eml', { receivedAt: new Date() })));
    expect(second.map((e) => e.eventId)).toEqual(first.map((e) => e.eventId));
    expect(first[0]?.eventId).toBe('E1rPabc-0004Xy-Gh@mx1.example.net:jane@example.net');
  });
});

describe('parseReportMail: feedback-loop reports', () => {
  it('a Yahoo abuse report with a redacted recipient is a complaint about our message, without an address', async () => {
    const events = eventsOf(await parseReportMail(input('yahoo-arf-abuse.eml', { envelopeTo: ['fbl@example.com'], bounceDomain: undefined })));
    expect(events.map(summary)).toEqual([{ type: 'complaint', address: undefined, statusCode: undefined, detail: 'abuse', provider: 'arf' }]);
    // No VERP domain configured: the returned original's Message-ID alone names the message.
    expect(events[0]?.message).toEqual(ourMessage);
    expect(refsOf(await parseReportMail(input('yahoo-arf-abuse.eml', { envelopeTo: ['fbl@example.com'], bounceDomain: undefined })))).toEqual([{ id: OUR_ID }]);
    expect(events[0]?.eventId).toBe('1705395602.8842.yahoo.arf@arf.mail.yahoo.com:-');
  });

  it('a Microsoft JMRP report with the original inline takes the address from X-HmXmrOriginalRecipient', async () => {
    const events = eventsOf(await parseReportMail(input('microsoft-arf-jmrp.eml', { envelopeTo: ['fbl@example.com'] })));
    expect(events.map(summary)).toEqual([{ type: 'complaint', address: 'reader@hotmail.com', statusCode: undefined, detail: 'abuse', provider: 'arf' }]);
    expect(events[0]?.message).toEqual(ourMessage);
  });

  it('a not-spam report is ignored', async () => {
    const notSpam = raw('microsoft-arf-jmrp.eml').toString('utf8').replace('Feedback-Type: abuse', 'Feedback-Type: not-spam');
    const events = eventsOf(await parseReportMail({ ...input('microsoft-arf-jmrp.eml'), raw: Buffer.from(notSpam) }));
    expect(events.map((e) => [e.type, e.detail])).toEqual([['ignored', 'not_spam']]);
  });
});

describe('parseReportMail: everything else', () => {
  it.each(['out-of-office.eml', 'abwesenheitsnotiz.eml'])('%s is an autoreply', async (name) => {
    expect(await parseReportMail(input(name))).toEqual({ kind: 'autoreply' });
  });

  it('a person writing back is unparseable', async () => {
    expect(await parseReportMail(input('junk.eml'))).toEqual({ kind: 'unparseable', reason: 'not_a_report' });
  });

  it('random bytes are unparseable', async () => {
    const result = await parseReportMail({ ...input('junk.eml'), raw: Buffer.from('\u0000\u0001 not a mail at all') });
    expect(result.kind).toBe('unparseable');
  });
});
