import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** One message as the SMTP server received it. */
export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  /** Envelope sender (MAIL FROM). */
  from: string;
  raw: Buffer;
  /** Parsed with mailparser (undefined when the sink was started with `parse: false`). */
  parsed: ParsedMail | undefined;
  /** Raw header value by case-insensitive name, unfolded (e.g. `header('List-Unsubscribe')`). */
  header(name: string): string | undefined;
  /** When the sink accepted it (performance.now()). */
  receivedAt: number;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, ready for SMTP_URL. */
  url: string;
  port: number;
  /** Every accepted message, in arrival order. */
  messages: ReceivedMail[];
  /** How many messages were accepted (also counted when `keep` is off). */
  readonly count: number;
  /** Messages whose envelope includes `address`. */
  to(address: string): ReceivedMail[];
  /** Resolves once at least `count` messages have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Answers RCPT TO for this address with `reply`, e.g. '550 5.1.1 No such user' or '451 4.3.0 Try later'. */
  rejectRecipient(address: string, reply?: string): void;
  /** Stops rejecting this address. */
  acceptRecipient(address: string): void;
  /**
   * Answers the end of DATA of the n-th message offered (1, 2, …, refused ones included) with the
   * reply `answer` returns, e.g. `(n) => (n % 5 === 0 ? '454 Throttling failure: …' : undefined)`;
   * undefined accepts. A refused message is not received.
   */
  answerData(answer: ((offered: number) => string | undefined) | undefined): void;
  /** Holds every message at the end of DATA without an answer until `release()` (a relay that hangs). */
  hold(): void;
  /** Answers every held message (they are received) and stops holding. */
  release(): void;
  /** Messages held at the end of DATA right now. */
  readonly held: number;
  /** Timestamps (performance.now()) of received messages, kept even when `keep` is off. */
  readonly arrivals: number[];
  /** Forgets received messages (rejections stay). */
  reset(): void;
  close(): Promise<void>;
}

interface SinkOptions {
  port?: number;
  /** Parse every message with mailparser (default true). Turn off for throughput runs. */
  parse?: boolean;
  /** Keep raw bytes and parsed messages (default true). Off: only counts. */
  keep?: boolean;
}

const replyError = (reply: string): Error & { responseCode: number } => {
  const match = /^([45]\d\d)\s+(.*)$/.exec(reply);
  const err = new Error(match?.[2] ?? reply) as Error & { responseCode: number };
  err.responseCode = match ? Number(match[1]) : 550;
  return err;
};

function headerReader(raw: Buffer): (name: string) => string | undefined {
  let headers: Map<string, string> | undefined;
  return (name) => {
    if (!headers) {
      headers = new Map();
      const end = raw.indexOf('\r\n\r\n');
      const block = raw.subarray(0, end < 0 ? raw.length : end).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
      for (const line of block.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const key = line.slice(0, colon).trim().toLowerCase();
        if (!headers.has(key)) headers.set(key, line.slice(colon + 1).trim());
      }
    }
    return headers.get(name.toLowerCase());
  };
}

/**
 * A real SMTP server (smtp-server) on a spare port that keeps what it receives. Replies carry
 * exactly the text given to rejectRecipient (enhanced status codes are not added by the server).
 */
export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const parse = options.parse ?? true;
  const keep = options.keep ?? true;
  const rejections = new Map<string, string>();
  const messages: ReceivedMail[] = [];
  const arrivals: number[] = [];
  let received = 0;
  let offered = 0;
  let answer: ((offered: number) => string | undefined) | undefined;
  let holding = false;
  const heldAnswers: (() => void)[] = [];
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const notify = () => {
    for (const waiter of waiters) {
      if (received >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideENHANCEDSTATUSCODES: true,
    logger: false,
    size: 50 * 1024 * 1024,
    maxClients: 1000,
    onRcptTo(address, _session, callback) {
      const reply = rejections.get(address.address.toLowerCase());
      callback(reply ? replyError(reply) : undefined);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        offered += 1;
        const refusal = answer?.(offered);
        if (refusal !== undefined) return callback(replyError(refusal));
        if (holding) {
          heldAnswers.push(() => accept());
          return;
        }
        accept();
      });
      const accept = () => {
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const finish = (parsed: ParsedMail | undefined) => {
          const receivedAt = performance.now();
          if (keep) messages.push({ to, from, raw, parsed, header: headerReader(raw), receivedAt });
          arrivals.push(receivedAt);
          received += 1;
          notify();
        };
        if (parse && keep) {
          simpleParser(raw).then(
            (parsed) => {
              finish(parsed);
              callback();
            },
            (err: Error) => callback(err),
          );
        } else {
          finish(undefined);
          callback();
        }
      };
    },
  });
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    to: (address) => messages.filter((m) => m.to.includes(address.toLowerCase())),
    get count() {
      return received;
    },
    waitFor(count, timeoutMs = 15_000) {
      if (received >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const waiter = { count, resolve: () => (clearTimeout(timer), resolve(messages)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`SMTP sink: ${received} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    rejectRecipient(address, reply = '550 5.1.1 No such user here') {
      rejections.set(address.toLowerCase(), reply);
    },
    acceptRecipient(address) {
      rejections.delete(address.toLowerCase());
    },
    answerData(fn) {
      answer = fn;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const release of heldAnswers.splice(0)) release();
    },
    get held() {
      return heldAnswers.length;
    },
    arrivals,
    reset() {
      messages.length = 0;
      arrivals.length = 0;
      received = 0;
    },
    close: () => {
      sink.release();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sink;
}
