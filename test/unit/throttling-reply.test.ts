import { describe, expect, it } from 'vitest';
import { isThrottlingReply } from '../../src/delivery/index.ts';

/** A nodemailer SMTP error as the transport throws it: `responseCode`, `response`, `command`. */
const smtp = (response: string, command = 'DATA') => Object.assign(new Error(`Message failed: ${response}`), { responseCode: Number(response.slice(0, 3)), response, command });

const rows: [label: string, err: unknown, throttling: boolean][] = [
  // the relay says: the stream sends too fast
  ['SES per-second rate', smtp('454 Throttling failure: Maximum sending rate exceeded.'), true],
  ['SES daily quota', smtp('454 Throttling failure: Daily message quota exceeded.'), true],
  ['421 closing the channel', smtp('421 4.7.0 Try again later, closing connection.'), true],
  ['421 without an enhanced code', smtp('421 Too many concurrent SMTP connections'), true],
  ['Microsoft 4.7.x with "too many"', smtp('451 4.7.500 Server busy. Too many connections from your IP'), true],
  ['4.7.x rate limited', smtp('450 4.7.1 Rate limited, slow down'), true],
  ['4.7.x throttled', smtp('452 4.7.28 Our system has detected an unusual rate of unsolicited mail; throttled'), true],
  ['HTTP 429 (status)', Object.assign(new Error('Too Many Requests'), { status: 429 }), true],
  ['HTTP 429 (statusCode)', Object.assign(new Error('Too Many Requests'), { statusCode: 429 }), true],
  ['a reply code only in the text', new Error('454 Throttling failure: Maximum sending rate exceeded.'), true],
  // not about the stream's pace
  ['454 TLS not available', smtp('454 4.7.0 TLS not available due to local problem'), false],
  ['454 temporary authentication failure', smtp('454 4.7.0 Temporary authentication failure', 'AUTH PLAIN'), false],
  ['4.7.x greylisting', smtp('450 4.7.1 Greylisted, please try again later'), false],
  ['one recipient receives too fast (4.2.1)', smtp('450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages'), false],
  ['too many recipients (4.5.3)', smtp('452 4.5.3 Too many recipients'), false],
  ['mailbox full', smtp('452 4.2.2 Mailbox full'), false],
  ['temporary failure', smtp('451 4.3.0 Try again later'), false],
  ['a 5xx that speaks of rate', smtp('554 5.7.1 Message rejected: sending rate too high'), false],
  ['a hard bounce', smtp('550 5.1.1 No such user'), false],
  ['accepted', smtp('250 2.0.0 Ok: queued as ABC'), false],
  ['a connection error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNREFUSED', command: 'CONN' }), false],
  ['"generate" is not "rate"', smtp('451 4.7.0 Could not generate a reply'), false],
  ['HTTP 503', Object.assign(new Error('Service Unavailable'), { status: 503 }), false],
  ['not an error', 'throttled', false],
  ['null', null, false],
];

describe('isThrottlingReply', () => {
  it.each(rows)('%s → %s', (_label, err, throttling) => {
    expect(isThrottlingReply(err)).toBe(throttling);
  });

  it('reads only the head of a reply: words past its first 2 KB do not count', () => {
    expect(isThrottlingReply(smtp(`451 4.7.1 ${'a'.repeat(500_000)} throttled`))).toBe(false);
    expect(isThrottlingReply(smtp(`451 4.7.1 throttled ${'a'.repeat(500_000)}`))).toBe(true);
  });
});
