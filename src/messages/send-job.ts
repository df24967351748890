import type { JobsOptions } from 'bullmq';
import type { MessageRecord } from './message.model.ts';

/** The record's immutable fields the worker needs, carried on the job so a first run reads no record. */
export type SendJobMessage = Pick<MessageRecord, 'kind' | 'to' | 'template' | 'data' | 'locale'> & Partial<Pick<MessageRecord, 'subscriptionType' | 'from' | 'replyTo'>>;

/** The job name on SEND_QUEUE; its payload is the message id and, for new records, a copy of what the worker sends. */
export const SEND_JOB = 'send';
export interface SendJobData {
  id: string;
  /**
   * Set on a job added again for a record that already existed (an idempotent repeat): its message
   * may be final already, so the worker must look for an outcome even on the job's first run.
   */
  recheck?: boolean;
  /**
   * A copy of the record's immutable fields (never its status): on FerretDB every find scans the
   * collection up to the match, and a new record is the last one. Absent: the worker reads the record.
   */
  message?: SendJobMessage;
}

export function sendJobMessage(r: MessageRecord): SendJobMessage {
  const m: SendJobMessage = { kind: r.kind, to: r.to, template: r.template, data: r.data, locale: r.locale };
  if (r.subscriptionType !== undefined) m.subscriptionType = r.subscriptionType;
  if (r.from !== undefined) m.from = r.from;
  if (r.replyTo !== undefined) m.replyTo = r.replyTo;
  return m;
}

/**
 * Retries ride out several minutes of outage (database, Redis, SMTP): 2 s doubling up to a cap of
 * 5 minutes, 12 attempts ≈ 25 minutes in all, with ±20 % jitter so retried jobs do not stampede.
 */
export const SEND_ATTEMPTS = 12;
const FIRST_BACKOFF_MS = 2000;
const MAX_BACKOFF_MS = 5 * 60_000;
export const SEND_BACKOFF_TYPE = 'send';

export function sendBackoffMs(attemptsMade: number, random: () => number = Math.random): number {
  const base = Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, attemptsMade - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function sendJobOptions(id: string, sendAt: Date | undefined, now = Date.now()): JobsOptions {
  const delay = sendAt === undefined ? 0 : Math.max(0, sendAt.getTime() - now);
  return {
    jobId: id,
    ...(delay > 0 ? { delay } : {}),
    attempts: SEND_ATTEMPTS,
    backoff: { type: SEND_BACKOFF_TYPE },
    removeOnComplete: true,
    // Kept a week so an operator can inspect what gave up; the message record holds the outcome.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
