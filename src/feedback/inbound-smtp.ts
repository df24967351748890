import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { Logger } from '../shared/logger.ts';
import type { FeedbackMetrics } from './feedback-metrics.ts';
import type { ReceiveReportMail } from './receive-report-mail.ts';

export interface InboundSmtpLimits {
  /** Largest message taken; the rest of a bigger one is discarded as it arrives and answered 552. */
  maxBytes: number;
  /** Connections open at once, from everyone. */
  maxClients: number;
  /** Connections open at once from one IP address. */
  maxPerIp: number;
  /** Idle time before a connection is closed. */
  socketTimeoutMs: number;
  /** RCPT TO per transaction: a bounce has one. */
  maxRecipients: number;
}

/**
 * A bounce returns our original, which mailgate renders as HTML and text without attachments, so a
 * report is rarely above 200 KB. A relaying Postfix opens a handful of connections per destination.
 */
export const DEFAULT_INBOUND_LIMITS: InboundSmtpLimits = { maxBytes: 2 * 1024 * 1024, maxClients: 100, maxPerIp: 10, socketTimeoutMs: 30_000, maxRecipients: 5 };

export interface InboundSmtpDeps {
  reports: ReceiveReportMail;
  metrics: FeedbackMetrics;
  logger: Logger;
  limits?: Partial<InboundSmtpLimits>;
}

const smtpError = (code: number, message: string): Error & { responseCode: number } => Object.assign(new Error(message), { responseCode: code });

/**
 * The options of the inbound SMTP listener for bounce (RFC 3464) and complaint (RFC 5965) mail.
 * Anyone on the internet can reach it, so it is built for the hostile sender: recipients are
 * checked by ReceiveReportMail (550 for anything but a tagged VERP address or the complaint
 * address: never a relay), memory is bounded (a message is held only up to `maxBytes`; past it the
 * data is discarded as it arrives), and so are connections (in all, per IP, idle time). A report
 * that cannot be stored now gets 451: the sending MTA keeps it and tries again (never dropped).
 * The composition root builds the SMTPServer from these.
 */
export function inboundSmtpOptions(deps: InboundSmtpDeps): SMTPServerOptions {
  const limits = { ...DEFAULT_INBOUND_LIMITS, ...deps.limits };
  const perIp = new Map<string, number>();
  const open = new Set<string>(); // session ids counted in perIp: onClose must not free what onConnect refused
  const drop = (reason: string) => {
    deps.metrics.dropped.inc({ reason });
    deps.logger.info({ event: 'feedback.mail_dropped', reason });
  };
  return {
    banner: 'mailgate feedback',
    authOptional: true,
    disabledCommands: ['AUTH'],
    disableReverseLookup: true,
    size: limits.maxBytes,
    // smtp-server's own cap answers 421 past it; onConnect below counts and refuses first.
    maxClients: limits.maxClients + 1,
    socketTimeout: limits.socketTimeoutMs,
    logger: false,
    onConnect(session, callback) {
      const ip = session.remoteAddress;
      const fromIp = perIp.get(ip) ?? 0;
      if (open.size >= limits.maxClients || fromIp >= limits.maxPerIp) {
        drop(open.size >= limits.maxClients ? 'too_many_clients' : 'too_many_connections_from_ip');
        callback(smtpError(421, '4.7.0 Too many connections, try again later'));
        return;
      }
      perIp.set(ip, fromIp + 1);
      open.add(session.id);
      callback();
    },
    onClose(session) {
      if (!open.delete(session.id)) return;
      const left = (perIp.get(session.remoteAddress) ?? 1) - 1;
      if (left <= 0) perIp.delete(session.remoteAddress);
      else perIp.set(session.remoteAddress, left);
    },
    onRcptTo(address, session, callback) {
      const repeated = session.envelope.rcptTo.some((r) => r.address.toLowerCase() === address.address.toLowerCase()); // replaces its first entry
      if (session.envelope.rcptTo.length >= limits.maxRecipients && !repeated) {
        drop('too_many_recipients');
        callback(smtpError(452, '4.5.3 Too many recipients'));
        return;
      }
      deps.reports.checkRecipient(address.address).then(
        (verdict) => {
          if (verdict.ok) return callback();
          drop(verdict.reason);
          callback(smtpError(verdict.code, verdict.message));
        },
        (err: unknown) => {
          deps.logger.warn({ event: 'feedback.smtp_deferred', err: err instanceof Error ? err.message.slice(0, 200) : 'unknown' });
          callback(smtpError(451, '4.3.0 Cannot check this recipient now; try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let tooBig = false;
      stream.on('data', (chunk: Buffer) => {
        if (tooBig) return; // discarded as it arrives: memory holds at most maxBytes
        bytes += chunk.length;
        if (bytes > limits.maxBytes) {
          tooBig = true;
          chunks.length = 0;
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (tooBig || (stream as { sizeExceeded?: boolean }).sizeExceeded) {
          drop('too_big');
          callback(smtpError(552, '5.3.4 Message too big'));
          return;
        }
        deps.reports.receive(Buffer.concat(chunks, bytes), recipientsOf(session), new Date()).then(
          () => callback(),
          (err: unknown) => {
            deps.logger.warn({ event: 'feedback.smtp_deferred', err: err instanceof Error ? err.message.slice(0, 200) : 'unknown' });
            callback(smtpError(451, '4.3.0 Cannot store the report now; try again later'));
          },
        );
      });
    },
  };
}

function recipientsOf(session: SMTPServerSession): string[] {
  return session.envelope.rcptTo.map((r) => r.address.toLowerCase());
}
