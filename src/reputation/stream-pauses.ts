import { appEventId, outboxMark, streamEventAddress, NO_EVENTS, type AppEvent, type AppEventSink, type SendingEventData } from '../shared/app-events.ts';
import type { GuardActor, GuardState } from '../shared/deliverability.ts';
import { AppError, notFound, unprocessable } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { GuardEventDoc, GuardFigures, StreamGuardDoc } from './guard.model.ts';
import { guardEventId, type GuardRepository } from './guard-repository.ts';
import { showState, type ReputationMetrics } from './reputation-metrics.ts';

export interface StreamPausesDeps {
  repository: GuardRepository;
  /** The configured stream names. */
  streams: readonly string[];
  events?: AppEventSink;
  metrics: ReputationMetrics;
  logger: Logger;
  /** Told after every pause and resume: this process's gate reads the state at once instead of within a second. */
  onChange?: () => void;
  now?: () => Date;
}

/** A stream's guard state as the API and the console show it. */
export function guardStateOf(doc: StreamGuardDoc | undefined): GuardState {
  if (!doc) return { state: 'ok' };
  return {
    state: doc.state,
    ...(doc.pausedAt ? { pausedAt: doc.pausedAt.toISOString() } : {}),
    ...(doc.pausedBy ? { pausedBy: doc.pausedBy } : {}),
    ...(doc.reason !== undefined ? { reason: doc.reason } : {}),
  };
}

/**
 * Pausing and resuming a stream's marketing (docs/rules.md §13): by the guard when its rates cross a
 * pause threshold, or by an operator with an explanation; resumed only by an operator with an
 * explanation. Each step is a conditional update of the stream's state (GuardRepository), then its
 * audit record, the gauges, a log line (`reputation.paused`, `reputation.resumed`,
 * `reputation.warned`) and a webhook event (`sending.paused`, `sending.resumed`).
 */
export class StreamPauses {
  constructor(private readonly deps: StreamPausesDeps) {}

  private get events(): AppEventSink {
    return this.deps.events ?? NO_EVENTS;
  }

  async pause(stream: string, by: GuardActor): Promise<GuardState> {
    const explanation = this.check(stream, by);
    const at = this.now();
    if (!(await this.deps.repository.pause(stream, { at, by: 'operator', reason: explanation }))) {
      throw new AppError('stream_already_paused', `Stream "${stream}" is paused already`, { status: 409 });
    }
    await this.told(stream, 'paused', { at, by: 'operator', actor: by.actor, explanation });
    return guardStateOf(await this.deps.repository.get(stream));
  }

  async resume(stream: string, by: GuardActor): Promise<GuardState> {
    const explanation = this.check(stream, by);
    const at = this.now();
    if (!(await this.deps.repository.resume(stream, at))) throw new AppError('stream_not_paused', `Stream "${stream}" is not paused`, { status: 409 });
    await this.told(stream, 'resumed', { at, by: 'operator', actor: by.actor, explanation });
    return guardStateOf(await this.deps.repository.get(stream));
  }

  /** The guard's pause: true when this call paused the stream (another process may have been first). */
  async pauseByGuard(stream: string, figures: GuardFigures, reason: string): Promise<boolean> {
    const at = this.now();
    if (!(await this.deps.repository.pause(stream, { at, by: 'guard', reason }))) return false;
    await this.told(stream, 'paused', { at, by: 'guard', actor: 'guard', explanation: reason, figures });
    return true;
  }

  /** The guard's warning, once per crossing: true when this call crossed it. */
  async warnByGuard(stream: string, figures: GuardFigures, reason: string): Promise<boolean> {
    const at = this.now();
    if (!(await this.deps.repository.warn(stream, at))) return false;
    await this.deps.repository.record({ at, stream, action: 'warned', actor: 'guard', explanation: reason, figures });
    showState(this.deps.metrics, stream, 'warn');
    this.deps.logger.warn({ event: 'reputation.warned', stream, window: figures.window, counts: figures.counts, reason }, `stream ${stream}: ${reason}`);
    return true;
  }

  private async told(stream: string, action: 'paused' | 'resumed', step: { at: Date; by: 'guard' | 'operator'; actor: string; explanation: string; figures?: GuardFigures }): Promise<void> {
    const audit: GuardEventDoc = { _id: guardEventId(), at: step.at, stream, action, actor: step.actor, explanation: step.explanation, ...(step.figures ? { figures: step.figures } : {}) };
    const type = action === 'paused' ? 'sending.paused' : 'sending.resumed';
    const event: AppEvent = { id: appEventId(type, audit._id), type, address: streamEventAddress(stream), at: step.at, data: eventData(stream, step, audit) };
    // The event is written with its audit record (the outbox): a refused delivery insert leaves it to the sweep.
    const outbox = outboxMark(this.events, [event]);
    await this.deps.repository.record(outbox ? { ...audit, outbox } : audit);
    showState(this.deps.metrics, stream, action === 'paused' ? 'paused' : 'ok');
    this.deps.onChange?.();
    const fields = { event: `reputation.${action}`, stream, by: step.by, actor: step.actor, window: step.figures?.window, counts: step.figures?.counts };
    if (action === 'paused') this.deps.logger.warn(fields, `stream ${stream}: marketing paused by ${step.by}: ${step.explanation}`);
    else this.deps.logger.info(fields, `stream ${stream}: marketing resumed by ${step.actor}`);
    await this.events.emit([event], outbox ? [{ collection: 'stream_guard_events', id: audit._id }] : []);
  }

  /** 404 for a stream that is not configured, 422 without an explanation; returns the trimmed explanation. */
  private check(stream: string, by: GuardActor): string {
    if (!this.deps.streams.includes(stream)) throw notFound('unknown_stream', `No stream named "${stream.slice(0, 64)}"`);
    const explanation = by.explanation.trim();
    if (explanation === '') throw unprocessable('explanation_required', 'An explanation is required: it is kept in the audit record', { field: 'explanation' });
    return explanation;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function eventData(stream: string, step: { by: 'guard' | 'operator'; actor: string; explanation: string }, audit: GuardEventDoc): SendingEventData {
  const figures = audit.figures;
  return {
    stream,
    by: step.by,
    actor: step.actor,
    explanation: step.explanation,
    ...(figures
      ? {
          window: figures.window,
          figures: figures.counts,
          rates: { complaintRate: figures.complaintRate, hardBounceRate: figures.hardBounceRate },
          topTemplates: figures.topTemplates,
        }
      : {}),
  };
}
