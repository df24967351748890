/** How a failed hand-over to the SMTP server is treated. */
export interface SmtpFailure {
  /** 5xx: retrying cannot help. Everything else (4xx, connection errors) is retried. */
  permanent: boolean;
  /** Enhanced status 5.1.x: the mailbox or domain does not exist, so the address is hard-bounced. */
  badMailbox: boolean;
  /** The server's reply or the connection error, for the record (one line). */
  response: string;
}

interface SmtpErrorLike {
  responseCode?: unknown;
  response?: unknown;
  code?: unknown;
  message?: unknown;
}

const ENHANCED = /^\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})\b/;

export function classifySmtpFailure(err: unknown): SmtpFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorLike;
  const response = (typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
  const code = typeof e.responseCode === 'number' ? e.responseCode : Number(/^(\d{3})\b/.exec(response)?.[1] ?? NaN);
  const permanent = code >= 500 && code < 600;
  const enhanced = ENHANCED.exec(response);
  const badMailbox = permanent && enhanced?.[1] === '5' && enhanced[2] === '1';
  return { permanent, badMailbox, response };
}
