/** An error answered by the mailgate API (or found by the client's own validation before sending). */
export class MailgateError extends Error {
  override name = 'MailgateError';

  constructor(
    /** Stable snake_case code, e.g. `invalid_address`, `unknown_template`, `service_unavailable`. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Worth retrying later (with the same idempotency key): 429, 5xx, or no answer at all. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}
