import { AppError } from '../shared/errors.ts';

/** The words one body-parser failure is said in: the JSON API's code and message, and the recipient pages' code. */
interface BodyFailure {
  status: number;
  /** Absent: the API does not name it, and the failure reaches the error middleware's generic 500. */
  api?: { code: string; message: string };
  /** A code of the recipient pages' table (preferences/page-errors.ts), which picks the page shown. */
  page: string;
}

const TOO_LARGE = { code: 'payload_too_large', message: 'The request body is too large' };
const BAD_ENCODING = { code: 'unsupported_encoding', message: 'The request body encoding is not supported' };

/**
 * body-parser's own failures (its `err.type`: express.json, .urlencoded, .raw), and what each one
 * answers; the one place that reads them. A content type a route does not take is refused before
 * parsing, by the route's own guard (body-guards.ts requireJson, the one-click body).
 */
const BODY_FAILURES: Record<string, BodyFailure> = {
  'entity.too.large': { status: 413, api: TOO_LARGE, page: 'payload_too_large' },
  'parameters.too.many': { status: 413, page: 'payload_too_large' }, // urlencoded only: no API body is
  'encoding.unsupported': { status: 415, api: BAD_ENCODING, page: 'unsupported_media_type' },
  'charset.unsupported': { status: 415, api: BAD_ENCODING, page: 'unsupported_media_type' },
  'entity.parse.failed': { status: 400, api: { code: 'malformed_json', message: 'The request body is not valid JSON' }, page: 'invalid_form' },
  'request.aborted': { status: 400, page: 'invalid_form' },
  'request.size.invalid': { status: 400, page: 'invalid_form' },
  'entity.verify.failed': { status: 400, page: 'invalid_form' },
};

/** body-parser's failure as the JSON API (`api`) or a recipient page (`page`) answers it; undefined for any other error. */
export function bodyParserError(err: unknown, voice: 'api' | 'page'): AppError | undefined {
  const type = typeof err === 'object' && err !== null && 'type' in err ? (err as { type: unknown }).type : undefined;
  const failure = typeof type === 'string' && Object.hasOwn(BODY_FAILURES, type) ? BODY_FAILURES[type] : undefined;
  if (!failure) return undefined;
  if (voice === 'page') return new AppError(failure.page, 'The form could not be read', { status: failure.status });
  return failure.api ? new AppError(failure.api.code, failure.api.message, { status: failure.status }) : undefined;
}
