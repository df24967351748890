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
  /** The relay that took it, its URL without credentials (`smtp://relay.example:587`); none for .eml files. A failover transport passes on the one that took it. */
  relay?: string;
}

/** The "messenger" behind the send use case: SMTP in production, .eml files in development. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}
