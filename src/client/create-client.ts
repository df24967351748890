import { apiErrorSchema, MAX_BATCH, parseMessageInput, type MessageInput, type BatchResult, type EnqueueResult, type MessageView } from '../contract/index.ts';
import { MailgateError } from './mailgate-error.ts';

export interface ClientOptions {
  /** Where the mailgate API runs, e.g. `https://mailgate.internal:3000`. */
  baseUrl: string;
  /** The bearer key (MAILGATE_API_KEY). */
  apiKey: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
}

export interface SendOptions {
  /** Sent as `Idempotency-Key`: the same key always answers the same message id, and sends once. */
  idempotencyKey?: string;
}

export interface MailgateClient {
  /** `POST /v1/messages`: 202 `{id, status}`. Throws MailgateError (e.g. `invalid_address`, `unknown_template`). */
  send(message: MessageInput, options?: SendOptions): Promise<EnqueueResult>;
  /** `POST /v1/messages/batch` (≤ 1,000): one result per message, in order; one bad item never sinks the others. */
  sendBatch(messages: MessageInput[]): Promise<BatchResult>;
  /** `GET /v1/messages/:id`. */
  getMessage(id: string): Promise<MessageView>;
}

/**
 * A typed client for application code. Its answer types are inferred from the same zod schemas
 * the API reference (`GET /v1/openapi.json`) is generated from (src/contract/message-views.ts).
 * It validates each message with the same schema as the server before sending, so a malformed
 * message fails at once without a round trip.
 */
export function createClient(options: ClientOptions): MailgateClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new MailgateError('network_error', `mailgate did not answer: ${err instanceof Error ? err.message : String(err)}`, 0);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      // A proxy in between may answer with its own body: then the status is all we know.
      const parsed = apiErrorSchema.safeParse(json);
      if (!parsed.success) throw new MailgateError(`http_${res.status}`, `mailgate answered ${res.status}`, res.status);
      const { error } = parsed.data;
      throw new MailgateError(error.code, error.message, res.status, error.details);
    }
    return json as T;
  }

  const validate = (message: unknown, headerKey?: string) => {
    const result = parseMessageInput(message, headerKey);
    if (!result.ok) throw new MailgateError(result.error.code, result.error.message, result.error.status, result.error.details);
  };

  return {
    async send(message, sendOptions = {}) {
      validate(message, sendOptions.idempotencyKey);
      const headers: Record<string, string> = sendOptions.idempotencyKey === undefined ? {} : { 'idempotency-key': sendOptions.idempotencyKey };
      return request<EnqueueResult>('POST', '/v1/messages', message, headers);
    },
    async sendBatch(messages) {
      if (messages.length === 0 || messages.length > MAX_BATCH) {
        throw new MailgateError('too_many_messages', `A batch holds 1 to ${MAX_BATCH} messages`, 400);
      }
      // Items are checked by the server one by one and answered per item, like a failed local check would be.
      return request<BatchResult>('POST', '/v1/messages/batch', { messages });
    },
    async getMessage(id) {
      return request<MessageView>('GET', `/v1/messages/${encodeURIComponent(id)}`);
    },
  };
}
