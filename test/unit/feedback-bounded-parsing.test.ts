// Issue #19: the readers of stranger-supplied text cap their input, and the patterns that could
// backtrack were replaced by scans. The scans must find exactly what the old patterns found: each
// old pattern is kept here as the reference, and fast-check compares them on short strings made of
// the characters the patterns care about (short enough for the old patterns to run).
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../src/feedback/classify.ts';
import { headerMessageIdOf, mailgateIdFromVerp } from '../../src/feedback/message-ref.ts';
import { parseReportMail } from '../../src/feedback/report-mail.ts';
import {
  MAX_FIELD_GROUPS,
  MAX_FIELD_VALUE,
  addressesIn,
  bareAddress,
  parseFieldGroups,
  singleAddressIn,
  stripAngles,
} from '../../src/feedback/report-fields.ts';
import { parseTextBounce, recipientLine, reportSection } from '../../src/feedback/text-bounce.ts';
import { MAX_LOGGED_TEXT, replaceAddresses } from '../../src/shared/redact-addresses.ts';
import { createLogger, redactAddresses } from '../../src/shared/logger.ts';

const OLD_ADDRESS = /[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+\.[^\s<>"'(),;:[\].]+/g;
const OLD_ADDRESS_LINE = /^\s*<?([^\s<>"'(),;:@]+@[^\s<>"'(),;:]+\.[^\s<>"'(),;:.]+)>?:?(.*)$/;
const OLD_COPY_MARKER =
  /^\s*(?:-+ ?below this line is a copy of the message|-+ ?this is a copy of the message|-+ ?original message|-+ ?the header of the original message|original message follows|return-path:|received:)/im;
const OLD_LOG_ADDRESS = /[^\s<>()[\]{}"',;:/\\]+(?:@|%40)[a-z0-9.-]+\.[a-z]{2,}/gi;
const oldStripAngles = (value: string): string => value.trim().replace(/^<+/, '').replace(/>+$/, '').trim();

/** Strings of up to `max` pieces drawn from `pieces`. */
const textOf = (pieces: string[], max = 30) => fc.array(fc.constantFrom(...pieces), { maxLength: max, size: 'max' }).map((parts) => parts.join(''));

const ADDRESS_PIECES = ['a@b.com', '@b.c', 'x@', '.org', 'a', 'b', 'com', '.', '..', '@', '<', '>', ' ', '\t', '\u00a0', '\u2028', ',', ';', ':', '"', "'", '(', ')', '[', ']', '-', '_', '+'];
const LOG_PIECES = ['jane@example.com', '@b.co', 'x%40y.org', '.uk', 'a.b', 'a', 'Bc', 'x', 'com', '0', '9', '.', '-', '@', '%40', '%4', '%', '_', ' ', '<', '>', '/', '\\', ':', '{', '}', 'é', '\n'];
const MARKER_PIECES = [
  'x', ' ', '\t', '\n', '\r', '\r\n', '\u2028', '\u2029', '\u00a0', '-', '---', 'received:', 'Return-Path:', 'original message follows',
  '--- Below this line is a copy of the message.', '------ Original Message', 'below this line is a copy of the message',
];

const runs = { numRuns: 3000 };

describe('the scans agree with the patterns they replace', () => {
  it('addressesIn finds what the old address pattern found', () => {
    fc.assert(fc.property(textOf(ADDRESS_PIECES), (s) => {
          expect(addressesIn(s)).toEqual(s.match(OLD_ADDRESS) ?? []);
        }), runs);
  });

  it('recipientLine reads a line as the old address-line pattern did', () => {
    fc.assert(
      fc.property(textOf([...ADDRESS_PIECES, '<a@b.cd>:', 'a@b.c..', '\r', ': 550 5.1.1 unknown'], 12), (line) => {
        const old = OLD_ADDRESS_LINE.exec(line);
        expect(recipientLine(line)).toEqual(old === null ? undefined : { address: old[1], rest: old[2] });
      }),
      runs,
    );
  });

  it('stripAngles strips as /^<+/ and />+$/ did', () => {
    fc.assert(fc.property(textOf(['<', '>', 'a', '@', ' ', '\n', '<>', '\u3000'], 12), (s) => {
          expect(stripAngles(s)).toBe(oldStripAngles(s));
        }), runs);
  });

  it('reportSection cuts at the same marker, keeping at most the blank lines before it', () => {
    fc.assert(
      fc.property(textOf(MARKER_PIECES, 12), (text) => {
        const normalized = text.replace(/\r\n?/g, '\n');
        const old = OLD_COPY_MARKER.exec(normalized);
        const section = reportSection(text);
        if (old === null) {
          expect(section).toBe(normalized);
          return;
        }
        const oldSection = normalized.slice(0, old.index);
        // The old `^\s*` started its match at the first of the blank lines before the marker.
        expect(normalized.startsWith(section)).toBe(true);
        expect(section.startsWith(oldSection)).toBe(true);
        expect(section.slice(oldSection.length).trim()).toBe('');
      }),
      runs,
    );
  });

  it('redactAddresses replaces what the old log pattern replaced', () => {
    fc.assert(fc.property(textOf(LOG_PIECES, 40), (s) => {
          expect(replaceAddresses(s)).toBe(s.replace(OLD_LOG_ADDRESS, '[address]'));
          expect(redactAddresses(s)).toBe(s.replace(OLD_LOG_ADDRESS, '[address]'));
        }), runs);
  });

  it('redactAddresses on real log text', () => {
    expect(redactAddresses('550 5.1.1 <Jane.Doe+news@Example.co.uk>: Recipient address rejected')).toBe('550 5.1.1 <[address]>: Recipient address rejected');
    expect(redactAddresses('GET /v1/addresses/jane%40example.com/history')).toBe('GET /v1/addresses/[address]/history');
    expect(redactAddresses('no address at 10.0.0.1 or in v1.2.3@4')).toBe('no address at 10.0.0.1 or in v1.2.3@4');
  });
});

describe('caps on stranger-supplied text', () => {
  it('cuts a long log text before a word, so that no address is cut in half and left unredacted', () => {
    const address = 'jane.doe@example.com';
    for (let shift = 0; shift < address.length + 2; shift += 1) {
      const text = `${'x'.repeat(MAX_LOGGED_TEXT - shift)} ${address} and more`;
      const logged = redactAddresses(text);
      expect(logged).not.toContain('jane');
      expect(logged).not.toContain('@');
      expect(logged.length).toBeLessThan(MAX_LOGGED_TEXT + 40);
      expect(logged).toMatch(/… \(\d+ more characters\)$/);
    }
    expect(redactAddresses('a'.repeat(100_000))).toBe('… (100000 more characters)');
  });

  it('reads at most MAX_FIELD_GROUPS field blocks, and cuts a value (folded or not) at MAX_FIELD_VALUE', () => {
    const blocks = Array.from({ length: 150 }, (_, i) => `Final-Recipient: rfc822; r${String(i)}@example.org\nAction: failed`).join('\n\n');
    const groups = parseFieldGroups(blocks);
    expect(groups).toHaveLength(MAX_FIELD_GROUPS);
    expect(groups.at(-1)?.get('final-recipient')).toBe(`rfc822; r${String(MAX_FIELD_GROUPS - 1)}@example.org`);

    const [long] = parseFieldGroups(`Diagnostic-Code: ${'d'.repeat(10_000)}\nStatus: 5.1.1`);
    expect(long?.get('diagnostic-code')).toHaveLength(MAX_FIELD_VALUE);
    expect(long?.get('status')).toBe('5.1.1');
    const [folded] = parseFieldGroups(`Diagnostic-Code: smtp; 550${'\n continued'.repeat(2_000)}\nStatus: 5.1.1`);
    expect(folded?.get('diagnostic-code')).toHaveLength(MAX_FIELD_VALUE);
    expect(folded?.get('diagnostic-code')).toMatch(/^smtp; 550 continued continued/);
    expect(folded?.get('status')).toBe('5.1.1');
  });

  it('takes no single address from a header value that may have been cut', () => {
    expect(singleAddressIn('"Jane Doe" <jane@example.org>')).toBe('jane@example.org');
    expect(singleAddressIn(`"${'J'.repeat(MAX_FIELD_VALUE)}" <jane@example.org>`)).toBeUndefined();
    const [headers] = parseFieldGroups(`To: "${'J'.repeat(MAX_FIELD_VALUE)}" <jane@example.org>`);
    expect(singleAddressIn(headers?.get('to'))).toBeUndefined();
  });

  it('refuses addresses and ids longer than any real one', () => {
    expect(bareAddress('rfc822; <jane@example.org>')).toBe('jane@example.org');
    expect(bareAddress(`rfc822; <${'j'.repeat(1100)}@example.org>`)).toBeUndefined();
    expect(headerMessageIdOf(`<${'m'.repeat(990)}@example.org>`)).toBeUndefined();
    expect(headerMessageIdOf(`<${'m'.repeat(900)}@example.org>`)).toBe(`${'m'.repeat(900)}@example.org`);
    expect(mailgateIdFromVerp(`bounces+65a1b2c3d4e5f60718293a4b@${'b'.repeat(1100)}.example`, `${'b'.repeat(1100)}.example`)).toBeUndefined();
  });

  it('reads a text bounce from its first 64 KB, keeps 4 KB per recipient block and at most 50 recipients', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => `<r${String(i)}@example.net>:\n550 5.1.1 no such user ${'here '.repeat(2_000)}`).join('\n\n');
    const bounce = parseTextBounce(blocks, () => false);
    expect(bounce.recipients.length).toBeGreaterThan(0);
    expect(bounce.recipients.length).toBeLessThanOrEqual(50);
    expect(bounce.recipients[0]).toMatchObject({ address: 'r0@example.net', statusCode: '5.1.1', smtpCode: 550 });
    expect(bounce.recipients[0]?.diagnostic?.length).toBeLessThanOrEqual(500);

    const many = Array.from({ length: 60 }, (_, i) => `<r${String(i)}@example.net>:\n550 5.1.1 no such user`).join('\n\n');
    expect(parseTextBounce(many, () => false).recipients).toHaveLength(50);

    const late = `${'filler line\n'.repeat(6_000)}<late@example.net>:\n550 5.1.1 no such user`;
    expect(late.length).toBeGreaterThan(64 * 1024);
    expect(parseTextBounce(late, () => false).recipients).toEqual([]);
    expect(reportSection(late).length).toBe(64 * 1024);
  });

  it('reads at most 8 KB of a diagnostic into one line', () => {
    expect(oneLine(`550 ${'x '.repeat(100_000)}`)).toHaveLength(500);
    expect(oneLine(`${' '.repeat(10_000)}550 user unknown`)).toBeUndefined();
  });

  it('keeps what a report chooses short in log lines: every detail string is cut by the logger', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = createLogger('info', out);
    logger.info({ event: 'feedback.ignored', provider: 'arf', detail: `feedback_type:${'x'.repeat(50_000)} jane@example.org` });
    logger.info({ event: 'feedback.mail_dropped', err: `bad mail ${'y'.repeat(50_000)}` });
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThan(MAX_LOGGED_TEXT + 200);
    expect(JSON.parse(lines[0]!).detail).toMatch(/^feedback_type:… \(\d+ more characters\)$/);
  });

  it('cuts an ARF Feedback-Type to 64 characters before it becomes the event detail', async () => {
    const raw = readFileSync(new URL('../fixtures/feedback/mail/microsoft-arf-jmrp.eml', import.meta.url), 'utf8').replace('Feedback-Type: abuse', `Feedback-Type: ${'z'.repeat(10_000)}`);
    const result = await parseReportMail({ raw: Buffer.from(raw), envelopeTo: ['fbl@example.com'], bounceDomain: 'bounce.example.com', complaintAddress: 'fbl@example.com', receivedAt: new Date() });
    expect(result.kind === 'report' ? result.events.map(({ event: e }) => [e.type, e.detail]) : result).toEqual([['ignored', `feedback_type:${'z'.repeat(64)}`]]);
  });
});
