import { pino, type Logger } from 'pino';

export type { Logger };

/** Tokens and recipient lists never reach the log: these paths are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'mailgate' },
    redact: { paths: ['token', '*.token', 'req.headers.authorization', 'headers.authorization', 'recipients'], censor: '[redacted]' },
  });
}
