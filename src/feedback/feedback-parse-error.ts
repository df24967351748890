import type { z } from 'zod';
import { AppError } from '../shared/errors.ts';

export type FeedbackParseErrorCode = 'malformed_json' | 'invalid_feedback_payload';

/**
 * A provider payload that is not what the provider documents. An AppError with status 400 so the
 * error middleware answers it like any other bad request; the provider will usually retry, which
 * is right, since a payload we cannot read has not been acted on.
 */
export class FeedbackParseError extends AppError {
  override readonly code: FeedbackParseErrorCode;

  constructor(code: FeedbackParseErrorCode, message: string, details?: unknown) {
    super(code, message, { status: 400, details });
    this.name = 'FeedbackParseError';
    this.code = code;
  }
}

/** Parses with a zod schema and turns a failure into a FeedbackParseError naming the first bad fields. */
export function parsePayload<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const summary = issues
    .slice(0, 3)
    .map((i) => `${i.path || '(root)'}: ${i.message}`)
    .join('; ');
  throw new FeedbackParseError('invalid_feedback_payload', `${what}: ${summary}`, issues);
}

/** JSON.parse for payloads that arrive as a string (SNS wraps the SES notification in one). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FeedbackParseError('malformed_json', `${what}: not valid JSON`);
  }
}
