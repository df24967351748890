import { z } from 'zod';
import { unavailable } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { ignoredReason, type FeedbackEvent } from './feedback-event.ts';
import { FEEDBACK_JOB, feedbackJobOptions, type FeedbackQueue } from './feedback-jobs.ts';
import type { FeedbackMetrics } from './feedback-metrics.ts';
import { feedbackJobId, type FeedbackRepository } from './feedback-repository.ts';

export interface ReceiveFeedbackDeps {
  feedback: FeedbackRepository;
  queue: FeedbackQueue;
  metrics: FeedbackMetrics;
  logger: Logger;
}

/** Longest detail or status code a log line repeats: bounce mail and provider payloads choose them. */
const MAX_LOGGED_FIELD = 200;
const short = (value: string | undefined): string | undefined => value?.slice(0, MAX_LOGGED_FIELD);

/** What a feedback receiver answers once the events are stored and their jobs added. */
export const receivedSchema = z
  .object({
    stored: z.number().int().meta({ description: 'Events stored for the first time' }),
    replayed: z.number().int().meta({ description: 'Events stored before (replays)' }),
    ignored: z.number().int().meta({ description: 'Events that mean nothing for an address (opens, policy blocks, unknown types): counted only' }),
  })
  .meta({ id: 'FeedbackReceived' });
export type Received = z.infer<typeof receivedSchema>;

/**
 * What every receiver does with authenticated, parsed feedback: count it, store what can change
 * something once, and hand each stored event to a `feedback` job that applies it. Answers only
 * once both are safely written; otherwise it throws 503 so the relay retries (never dropped).
 */
export class ReceiveFeedback {
  constructor(private readonly deps: ReceiveFeedbackDeps) {}

  async receive(events: FeedbackEvent[], receivedAt = new Date()): Promise<Received> {
    for (const e of events) this.deps.metrics.events.inc({ provider: e.provider, type: e.type });
    // `ignored` events change nothing for anyone: counted, not stored (providers send many: opens,
    // clicks), except those that could not be read, kept raw for the operator (never applied).
    const acting = events.filter((e) => e.type !== 'ignored');
    const ignoredEvents = events.filter((e) => e.type === 'ignored');
    const ignored = ignoredEvents.length;
    for (const e of ignoredEvents) {
      this.deps.metrics.ignored.inc({ provider: e.provider, reason: ignoredReason(e.detail) });
      this.deps.logger.info({ event: 'feedback.ignored', provider: e.provider, detail: short(e.detail), statusCode: short(e.statusCode) });
    }
    const unreadable = ignoredEvents.filter((e) => e.raw !== undefined);
    if (acting.length === 0 && unreadable.length === 0) return { stored: 0, replayed: 0, ignored };
    let ids: string[];
    let fresh: Set<string>;
    try {
      if (unreadable.length > 0) await this.deps.feedback.keepUnreadable(unreadable, receivedAt);
      if (acting.length === 0) return { stored: 0, replayed: 0, ignored };
      ({ ids, fresh } = await this.deps.feedback.store(acting, receivedAt));
      // Jobs for replays too: if an earlier request stored the event but lost its job, this repairs it.
      await this.deps.queue.addBulk(ids.map((id) => ({ name: FEEDBACK_JOB, data: { id }, opts: feedbackJobOptions(feedbackJobId(id)) })));
    } catch (err) {
      throw unavailable('service_unavailable', 'Feedback could not be stored; try again', err);
    }
    this.deps.logger.info({ event: 'feedback.received', provider: acting[0]!.provider, stored: fresh.size, replayed: ids.length - fresh.size });
    return { stored: fresh.size, replayed: ids.length - fresh.size, ignored };
  }
}
