import type { Queue } from 'bullmq';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Connection } from 'mongoose';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Router } from 'express';
import { SMTPServer } from 'smtp-server';
import type { Config } from '../config.ts';
import {
  FeedbackRepository,
  ReceiveFeedback,
  ReceiveReportMail,
  RedisReplayGuard,
  SnsVerifier,
  createFeedbackMetrics,
  genericFeedbackRoutes,
  inboundSmtpOptions,
  parseSendgridPublicKey,
  relayFeedbackRoutes,
  type FeedbackJobData,
  type FeedbackMetrics,
  type HttpsFetchOptions,
} from '../feedback/index.ts';
import type { MessageRepository } from '../messages/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { MessageTags } from '../shared/message-tag.ts';
import { FEEDBACK_QUEUE } from '../shared/queues.ts';
import type { ErasureRestrictions } from '../subscriptions/index.ts';
import { addQueue } from './bullmq.ts';
import type { Lifecycle } from './lifecycle.ts';

// SNS keeps a message's Timestamp on every retry, and a delivery policy may retry for hours: a
// week's age is accepted; replays within it are stored once anyway (feedback_events).
const SNS_MAX_AGE_MS = 7 * 24 * 3600_000;

export interface Feedback {
  repository: FeedbackRepository;
  queue: Queue<FeedbackJobData>;
  receive: ReceiveFeedback;
  metrics: FeedbackMetrics;
  /** `POST /v1/feedback` behind the API key (api role). */
  apiRoutes(): Router;
  /** The relays' webhook receivers, each with its provider's credential; an unconfigured source refuses all (api role). */
  relayRoutes(snsHttps: HttpsFetchOptions): Router;
  /** The inbound SMTP listener for bounce and complaint mail (when FEEDBACK_SMTP_PORT is set); `onPort` learns its port. */
  listen(onPort: (port: number) => void): void;
}

/** Relay feedback: stored once by the receivers, applied by the feedback worker (composition/workers.ts). */
export function buildFeedback(
  life: Lifecycle,
  deps: { config: Config; logger: Logger; db: Connection; redis: RedisClient; metrics: Registry; erasures: ErasureRestrictions; messages: MessageRepository; tags: MessageTags },
): Feedback {
  const { config, redis } = deps;
  const fb = config.feedback;
  const logger = deps.logger.child({ module: 'feedback' });
  const repository = new FeedbackRepository({ db: deps.db, erasures: deps.erasures });
  const queue = addQueue<FeedbackJobData>(life, { config, redis, logger, name: FEEDBACK_QUEUE, event: 'feedback.queue_error' });
  const metrics = createFeedbackMetrics(deps.metrics);
  const receive = new ReceiveFeedback({ feedback: repository, queue, metrics, logger });
  life.onStart(() => repository.ensureIndexes());
  return {
    repository,
    queue,
    receive,
    metrics,
    apiRoutes: () => genericFeedbackRoutes({ receive }),
    relayRoutes: (snsHttps) =>
      relayFeedbackRoutes({
        receive,
        metrics,
        logger,
        sns: fb.sesTopicArns.length > 0 ? new SnsVerifier({ topicArns: fb.sesTopicArns, maxAgeMs: SNS_MAX_AGE_MS, ...snsHttps }) : undefined,
        snsHttps,
        postmarkAuth: fb.postmarkAuth,
        // A key that is not a P-256 public key stops start-up here, not at the first webhook.
        sendgridKey: fb.sendgridPublicKey ? parseSendgridPublicKey(fb.sendgridPublicKey) : undefined,
        mailgun: fb.mailgunSigningKey ? { signingKey: fb.mailgunSigningKey, replayGuard: new RedisReplayGuard({ redis, prefix: `${config.queuePrefix}:mailgun-token` }) } : undefined,
      }),
    listen(onPort) {
      if (fb.smtpPort === undefined) return;
      const port = fb.smtpPort;
      const reports = new ReceiveReportMail({
        receive,
        feedback: repository,
        messages: deps.messages,
        tags: deps.tags,
        metrics,
        logger,
        // Every stream's VERP domain (each falls back to BOUNCE_DOMAIN).
        bounceDomain: [...new Set(config.streams.map((s) => s.bounceDomain).filter((d) => d !== undefined))],
        complaintAddress: fb.complaintAddress,
      });
      const listener = new SMTPServer(inboundSmtpOptions({ reports, metrics, logger }));
      listener.on('error', (err) => logger.warn({ event: 'feedback.smtp_error', err: err.message }));
      life.onStart(async () => {
        await new Promise<void>((resolve, reject) => {
          listener.once('error', reject);
          listener.listen(port, fb.smtpHost, () => resolve());
        });
        const address = listener.server.address() as AddressInfo;
        onPort(address.port);
        logger.info({ event: 'feedback.smtp_listening', port: address.port }, `feedback SMTP listening on port ${address.port}`);
      });
      life.onClose({ close: () => new Promise<void>((resolve) => listener.close(() => resolve())) });
    },
  };
}
