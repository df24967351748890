/**
 * What every webhook authenticity check answers. A refusal carries the HTTP status the route should
 * send and a stable code for logs and metrics; it never says which secret was wrong.
 * 503 is reserved for "could not check right now" (e.g. the SNS certificate host did not answer),
 * so the provider retries instead of the event being dropped as a forgery.
 */
export type VerifyRefusalStatus = 400 | 401 | 403 | 503;

export interface VerifyRefusal {
  ok: false;
  status: VerifyRefusalStatus;
  code: string;
  reason: string;
}

export function refuse(status: VerifyRefusalStatus, code: string, reason: string): VerifyRefusal {
  return { ok: false, status, code, reason };
}
