/** The one error type: a stable code, an HTTP status, and whether it is an expected (operational) failure. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly operational: boolean;
  readonly details: unknown;

  constructor(code: string, message: string, options: { status?: number; operational?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 500;
    this.operational = options.operational ?? true;
    this.details = options.details;
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(code, message, { status: 400, details });
export const notFound = (code: string, message: string) => new AppError(code, message, { status: 404 });
export const unprocessable = (code: string, message: string, details?: unknown) => new AppError(code, message, { status: 422, details });
export const unavailable = (code: string, message: string, cause?: unknown) => new AppError(code, message, { status: 503, cause });
