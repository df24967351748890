import { Counter, type Registry } from 'prom-client';

export interface FeedbackMetrics {
  /** Every feedback event heard, new or not, by provider and type (`ignored` included). */
  events: Counter<'provider' | 'type'>;
  /**
   * Authenticated events mailgate does not act on, by provider and reason (opens, clicks, policy
   * blocks, unknown event types, events it could not read…): answered 2xx so the relay does not
   * retry them forever, and counted here so nothing is lost silently.
   */
  ignored: Counter<'provider' | 'reason'>;
  /**
   * Feedback refused or ignored, by a stable reason: a webhook that failed authentication, bounce
   * mail to an address that is not ours or whose tag does not verify, a report that proves no
   * message or names someone other than its recipient, mail too big or too many connections, an
   * autoreply. Nothing counted here changed any address's state.
   */
  dropped: Counter<'reason'>;
}

export function createFeedbackMetrics(registry: Registry): FeedbackMetrics {
  return {
    events: new Counter({
      name: 'mailgate_feedback_events_total',
      help: 'Relay feedback events received, by provider and type',
      labelNames: ['provider', 'type'] as const,
      registers: [registry],
    }),
    ignored: new Counter({
      name: 'mailgate_feedback_ignored_total',
      help: 'Authenticated feedback events not acted on (answered 2xx), by provider and reason',
      labelNames: ['provider', 'reason'] as const,
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'mailgate_feedback_dropped_total',
      help: 'Feedback refused or ignored without changing any state (forged, unproven, about another recipient, oversized, autoreplies), by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
