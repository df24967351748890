import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { KeyObject } from 'node:crypto';
import { tryNormalizeAddress } from '../addresses/index.ts';
import { AppError, unprocessable } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { genericFeedbackSchema, unreadableEvent, type FeedbackEvent, type FeedbackProvider } from './feedback-event.ts';
import { FeedbackParseError, parseJson, parsePayload } from './feedback-parse-error.ts';
import { parseMailgunWebhook } from './providers/mailgun-events.ts';
import { parsePostmarkWebhook } from './providers/postmark-events.ts';
import { parseSendgridEvents } from './providers/sendgrid-events.ts';
import { parseSesNotification } from './providers/ses-events.ts';
import type { FeedbackMetrics } from './feedback-metrics.ts';
import type { ReceiveFeedback } from './receive-feedback.ts';
import {
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  confirmSubscription,
  verifyBasicAuth,
  verifyMailgun,
  verifySendgrid,
  type HttpsFetchOptions,
  type SnsVerifier,
  type TokenReplayGuard,
  type VerifyRefusal,
} from './verify/index.ts';

export interface FeedbackRoutesDeps {
  receive: ReceiveFeedback;
  metrics: FeedbackMetrics;
  logger: Logger;
  /** Undefined: that source is not configured, and every request from it is refused. */
  sns: SnsVerifier | undefined;
  snsHttps: HttpsFetchOptions;
  postmarkAuth: string | undefined;
  sendgridKey: KeyObject | undefined;
  mailgun: { signingKey: string; replayGuard: TokenReplayGuard } | undefined;
}

const BODY_LIMIT = '2mb';
// Raw bytes: the signatures are over the body exactly as sent.
const raw = express.raw({ type: () => true, limit: BODY_LIMIT });

const text = (req: Request): string => (Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');

const notConfigured = (source: string) => new AppError('feedback_source_not_configured', `Feedback from ${source} is not configured on this server`, { status: 403 });

/** Answers a refused authenticity check: nothing has been stored. Counted unless it is "try again later" (503). */
function refused(res: Response, deps: Pick<FeedbackRoutesDeps, 'logger' | 'metrics'>, source: string, refusal: VerifyRefusal): void {
  deps.logger.warn({ event: 'feedback.refused', source, code: refusal.code, status: refusal.status });
  if (refusal.status !== 503) deps.metrics.dropped.inc({ reason: refusal.code });
  if (refusal.status === 401 && source === 'postmark') res.set('WWW-Authenticate', 'Basic realm="mailgate feedback"');
  res.status(refusal.status).json({ error: { code: refusal.code, message: refusal.status === 503 ? refusal.reason : 'The request could not be authenticated' } });
}

/**
 * Reads an authenticated body with a provider's parser. Parsers read tolerantly (docs/feedback.md);
 * should one still refuse the shape, the whole body is kept as one unreadable event rather than
 * answered 4xx: a relay that gets a 4xx retries and gives up, and the event is lost either way.
 */
function readTolerantly(provider: FeedbackProvider, body: unknown, parse: () => FeedbackEvent[]): FeedbackEvent[] {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof FeedbackParseError)) throw err;
    return [unreadableEvent(provider, err.code, body, new Date())];
  }
}

/**
 * The relays' webhooks (docs/feedback.md), each authenticated as its provider does it, before
 * anything is read or stored. Every authenticated body that is JSON is answered 2xx (what is not
 * acted on is counted as ignored, with its reason); 400 is left for a body that is not JSON at all. Mounted at /v1/feedback/* without the API key (they carry their own
 * proof); answered 200 once the events are stored and their jobs added.
 */
export function relayFeedbackRoutes(deps: FeedbackRoutesDeps): Router {
  const router = Router();
  const accept = async (res: Response, events: FeedbackEvent[]) => {
    const result = await deps.receive.receive(events);
    res.status(200).json({ received: events.length, ...result });
  };

  router.post('/v1/feedback/ses', raw, async (req, res) => {
    if (!deps.sns) throw notConfigured('Amazon SES');
    const verified = await deps.sns.verify(text(req));
    if (!verified.ok) return refused(res, deps, 'ses', verified);
    const message = verified.message;
    if (message.Type === 'SubscriptionConfirmation') {
      const confirmed = await confirmSubscription(message, deps.snsHttps);
      if (!confirmed.ok) return refused(res, deps, 'ses', confirmed);
      deps.logger.info({ event: 'feedback.sns_subscribed', topic: message.TopicArn, subscription: confirmed.subscriptionArn });
      res.status(200).json({ confirmed: true });
      return;
    }
    if (message.Type === 'UnsubscribeConfirmation') {
      deps.logger.warn({ event: 'feedback.sns_unsubscribed', topic: message.TopicArn }, 'the SNS subscription was removed: SES feedback stops');
      res.status(200).json({ received: 0 });
      return;
    }
    // SNS's own Timestamp (signed) dates an event that carries no time of its own.
    await accept(res, readTolerantly('ses', message.Message, () => parseSesNotification(message.Message, { at: new Date(message.Timestamp) })));
  });

  router.post('/v1/feedback/postmark', raw, async (req, res) => {
    if (!deps.postmarkAuth) throw notConfigured('Postmark');
    const auth = verifyBasicAuth(req.get('authorization'), deps.postmarkAuth);
    if (!auth.ok) return refused(res, deps, 'postmark', auth);
    const body = parseJson(text(req), 'Postmark webhook');
    await accept(res, readTolerantly('postmark', body, () => parsePostmarkWebhook(body)));
  });

  router.post('/v1/feedback/sendgrid', raw, async (req, res) => {
    if (!deps.sendgridKey) throw notConfigured('SendGrid');
    const verified = verifySendgrid({
      publicKey: deps.sendgridKey,
      signature: req.get(SENDGRID_SIGNATURE_HEADER),
      timestamp: req.get(SENDGRID_TIMESTAMP_HEADER),
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      now: new Date(),
    });
    if (!verified.ok) return refused(res, deps, 'sendgrid', verified);
    const body = parseJson(text(req), 'SendGrid events');
    await accept(res, readTolerantly('sendgrid', body, () => parseSendgridEvents(body)));
  });

  router.post('/v1/feedback/mailgun', raw, async (req, res) => {
    if (!deps.mailgun) throw notConfigured('Mailgun');
    const body = parseJson(text(req), 'Mailgun webhook');
    const signature = (typeof body === 'object' && body !== null ? (body as { signature?: unknown }).signature : undefined) as
      | { timestamp?: unknown; token?: unknown; signature?: unknown }
      | undefined;
    const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
    const token = str(signature?.token);
    const verified = await verifyMailgun({
      signingKey: deps.mailgun.signingKey,
      timestamp: str(signature?.timestamp),
      token,
      signature: str(signature?.signature),
      now: new Date(),
      replayGuard: deps.mailgun.replayGuard,
    });
    if (!verified.ok) return refused(res, deps, 'mailgun', verified);
    try {
      await accept(res, readTolerantly('mailgun', body, () => parseMailgunWebhook(body, { token })));
    } catch (err) {
      // Not applied: let Mailgun's retry through the replay guard again.
      if (token) await deps.mailgun.replayGuard.release(token).catch(() => undefined);
      throw err;
    }
  });

  return router;
}

/** `POST /v1/feedback` (behind the API key): every other source, in mailgate's own format. */
export function genericFeedbackRoutes(deps: { receive: ReceiveFeedback }): Router {
  const router = Router();
  router.post('/feedback', async (req, res) => {
    const body = parsePayload(genericFeedbackSchema, req.body, 'feedback');
    const address = tryNormalizeAddress(body.address);
    if (!address.ok) throw unprocessable('invalid_address', 'address is not a single valid email address');
    const event: FeedbackEvent = {
      type: body.type,
      address: address.address,
      at: new Date(),
      provider: 'api',
      eventId: body.eventId ?? randomUUID(),
      ...(body.detail ? { diagnostic: body.detail.replace(/\s+/g, ' ').slice(0, 500) } : {}),
      message: body.messageId ? { messageId: body.messageId } : {},
    };
    const result = await deps.receive.receive([event]);
    res.status(202).json(result);
  });
  return router;
}
