import type { SMTPServerOptions } from 'smtp-server';
import type { Logger } from '../shared/logger.ts';
import type { FeedbackMetrics } from './feedback-metrics.ts';
import { mailgateIdFromVerp } from './message-ref.ts';
import type { ReceiveFeedback } from './receive-feedback.ts';
import { parseReportMail } from './report-mail.ts';

export interface InboundSmtpDeps {
  receive: ReceiveFeedback;
  metrics: FeedbackMetrics;
  logger: Logger;
  bounceDomain: string | undefined;
  complaintAddress: string | undefined;
  /** Largest message accepted (bounces return the original; 10 MB by default). */
  maxBytes?: number;
}

const smtpError = (code: number, message: string): Error & { responseCode: number } => Object.assign(new Error(message), { responseCode: code });

/**
 * The options of the inbound SMTP listener for bounce (RFC 3464) and complaint (RFC 5965) mail. It
 * accepts mail only for our VERP addresses (`bounces+<messageId>@BOUNCE_DOMAIN`) and the complaint
 * address; every other recipient gets 550, so it can never relay. A report that cannot be stored
 * now gets 451: the sending MTA keeps it and tries again (never dropped). Autoreplies and mail we
 * cannot read are accepted, counted and dropped, so nobody's MTA bounces them back to us.
 * The composition root builds the SMTPServer from these.
 */
export function inboundSmtpOptions(deps: InboundSmtpDeps): SMTPServerOptions {
  const maxBytes = deps.maxBytes ?? 10 * 1024 * 1024;
  const accepts = (address: string): boolean => {
    const lower = address.toLowerCase();
    return mailgateIdFromVerp(lower, deps.bounceDomain) !== undefined || (deps.complaintAddress !== undefined && lower === deps.complaintAddress);
  };
  return {
    banner: 'mailgate feedback',
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: maxBytes,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (accepts(address.address)) return callback();
      deps.logger.info({ event: 'feedback.smtp_rcpt_refused' });
      callback(smtpError(550, '5.1.1 No such mailbox here; this server takes only bounce and complaint reports'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(smtpError(552, '5.3.4 Message too big'));
          return;
        }
        const envelopeTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        void (async () => {
          const parsed = await parseReportMail({
            raw: Buffer.concat(chunks),
            envelopeTo,
            bounceDomain: deps.bounceDomain,
            complaintAddress: deps.complaintAddress,
            receivedAt: new Date(),
          });
          if (parsed.kind !== 'report') {
            const reason = parsed.kind === 'autoreply' ? 'autoreply' : 'unparseable';
            deps.metrics.droppedMail.inc({ reason });
            deps.logger.info({ event: 'feedback.mail_dropped', reason, ...(parsed.kind === 'unparseable' ? { detail: parsed.reason } : {}) });
            return;
          }
          await deps.receive.receive(parsed.events);
        })().then(
          () => callback(),
          (err: unknown) => {
            deps.logger.warn({ event: 'feedback.smtp_deferred', err: err instanceof Error ? err.message : String(err) });
            callback(smtpError(451, '4.3.0 Cannot store the report now; try again later'));
          },
        );
      });
    },
  };
}
