/** One email, ready to go: the transport adds nothing but signing. */
export interface OutgoingMail {
  /** Our message id; also used for the Message-ID header and .eml file names. */
  id: string;
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers: Record<string, string>;
}

export interface SendResult {
  /** The Message-ID header we sent, with angle brackets. */
  messageId: string;
  /** The SMTP server's final reply (or where the .eml file was written). */
  response: string;
  /** Which of a stream's relays took it, when it has two (failover-transport.ts); absent otherwise. */
  relay?: Relay;
}

/** A stream's relays: its own, and the one it fails over to. */
export type Relay = 'primary' | 'secondary';

/** The "messenger" behind the send use case: SMTP in production, .eml files in development. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}
