import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Anything shaped like local@domain.tld, also inside <…> in SMTP replies and percent-encoded (%40) in URLs.
const ADDRESS = /[^\s<>()[\]{}"',;:/\\]+(?:@|%40)[a-z0-9.-]+\.[a-z]{2,}/gi;

/** Replaces email addresses in free text (SMTP replies, error messages) with `[address]`. */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS, '[address]');
}

/** An error as pino logs it, with addresses redacted from its message and stack (and its causes'). */
function safeError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? redactAddresses(err) : err;
  const serialized = stdSerializers.err(err) as unknown as Record<string, unknown>;
  return redactDeep(serialized, 0);
}

function redactDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactAddresses(value);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)]));
}

/**
 * Tokens and recipient lists never reach the log: these paths are redacted wherever they appear.
 * Error messages and SMTP replies (`err`, `detail`, `smtpResponse`) have their addresses replaced
 * (PRODUCT.md §11): the message record keeps the reply for operators, the log line does not.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'mailgate' },
    redact: { paths: ['token', '*.token', 'req.headers.authorization', 'headers.authorization', 'recipients'], censor: '[redacted]' },
    serializers: {
      err: safeError,
      detail: (v: unknown) => redactDeep(v, 0),
      smtpResponse: (v: unknown) => redactDeep(v, 0),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
