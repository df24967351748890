import type { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { SMTPServer } from 'smtp-server';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import {
  RedisReplayGuard,
  SnsVerifier,
  inboundSmtpOptions,
  parseSendgridPublicKey,
  type ReceiveReportMail,
  relayFeedbackRoutes,
  type FeedbackMetrics,
  type HttpsFetchOptions,
  type ReceiveFeedback,
} from '../feedback/index.ts';
import type { Lifecycle } from './lifecycle.ts';


const SNS_MAX_AGE_MS = 7 * 24 * 3600_000;

/** The relays' webhook receivers, each with the credential its provider uses; a source left unconfigured refuses all. */
export function buildRelayReceivers(deps: { config: Config; redis: Redis; logger: Logger; receive: ReceiveFeedback; metrics: FeedbackMetrics; snsHttps: HttpsFetchOptions }): Router {
  const fb = deps.config.feedback;
  return relayFeedbackRoutes({
    receive: deps.receive,
    metrics: deps.metrics,
    logger: deps.logger,
    // SNS keeps a message's Timestamp on every retry, and a delivery policy may retry for hours: a
    // week's age is accepted; replays within it are stored once anyway (feedback_events).
    sns: fb.sesTopicArns.length > 0 ? new SnsVerifier({ topicArns: fb.sesTopicArns, maxAgeMs: SNS_MAX_AGE_MS, ...deps.snsHttps }) : undefined,
    snsHttps: deps.snsHttps,
    postmarkAuth: fb.postmarkAuth,
    // A key that is not a P-256 public key stops start-up here, not at the first webhook.
    sendgridKey: fb.sendgridPublicKey ? parseSendgridPublicKey(fb.sendgridPublicKey) : undefined,
    mailgun: fb.mailgunSigningKey
      ? { signingKey: fb.mailgunSigningKey, replayGuard: new RedisReplayGuard({ redis: deps.redis, prefix: `${deps.config.queuePrefix}:mailgun-token` }) }
      : undefined,
  });
}

/** The inbound SMTP listener for bounce and complaint mail; `onPort` learns the port it listens on. */
export function addFeedbackSmtp(
  life: Lifecycle,
  deps: { config: Config; logger: Logger; reports: ReceiveReportMail; metrics: FeedbackMetrics; onPort(port: number): void },
): void {
  const fb = deps.config.feedback;
  if (fb.smtpPort === undefined) return;
  const port = fb.smtpPort;
  const listener = new SMTPServer(inboundSmtpOptions({ reports: deps.reports, metrics: deps.metrics, logger: deps.logger }));
  listener.on('error', (err) => deps.logger.warn({ event: 'feedback.smtp_error', err: err.message }));
  life.onStart(async () => {
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, fb.smtpHost, () => resolve());
    });
    const address = listener.server.address() as AddressInfo;
    deps.onPort(address.port);
    deps.logger.info({ event: 'feedback.smtp_listening', port: address.port }, `feedback SMTP listening on port ${address.port}`);
  });
  life.onClose({ close: () => new Promise<void>((resolve) => listener.close(() => resolve())) });
}
