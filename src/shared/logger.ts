import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { redactAddresses } from './redact-addresses.ts';

export type { Logger };
export { redactAddresses };

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
 * (docs/rules.md §11): the message record keeps the reply for operators, the log line does not. Each of
 * their strings is cut to MAX_LOGGED_TEXT (2,000 characters), so no stranger can make a line long.
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
