import { Counter, type Registry } from 'prom-client';

export interface FeedbackMetrics {
  /** Every feedback event heard, new or not, by provider and type (`ignored` included). */
  events: Counter<'provider' | 'type'>;
  /** Inbound mail that was no report: autoreplies and unreadable mail. */
  droppedMail: Counter<'reason'>;
}

export function createFeedbackMetrics(registry: Registry): FeedbackMetrics {
  return {
    events: new Counter({
      name: 'mailgate_feedback_events_total',
      help: 'Relay feedback events received, by provider and type',
      labelNames: ['provider', 'type'] as const,
      registers: [registry],
    }),
    droppedMail: new Counter({
      name: 'mailgate_feedback_mail_dropped_total',
      help: 'Mail to the feedback SMTP listener that was no bounce or complaint report, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
