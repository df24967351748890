/**
 * How a send job is retried: its attempts and the wait before each next one. Retries ride out
 * several minutes of outage (database, Redis, SMTP): by default (config.ts: SEND_ATTEMPTS,
 * SEND_BACKOFF_MS, SEND_BACKOFF_MAX_MS) 2 s doubling up to a cap of 5 minutes, 12 attempts ≈ 25
 * minutes in all, with ±20 % jitter so retried jobs do not stampede. After the last attempt the
 * reconciler (reconcile-messages.ts) finishes what an outage left.
 */
export interface SendRetrySchedule {
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
}

/** The BullMQ backoff type of send jobs: the worker's `backoffStrategy` (sendRetrySettings) computes it. */
export const SEND_BACKOFF_TYPE = 'send';

/** The wait before the next attempt after `attemptsMade` failed ones. */
export function sendBackoffMs(attemptsMade: number, schedule: SendRetrySchedule, random: () => number = Math.random): number {
  const base = Math.min(schedule.backoffMs * 2 ** Math.max(0, attemptsMade - 1), schedule.backoffMaxMs);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The send worker's BullMQ settings for this schedule. */
export function sendRetrySettings(schedule: SendRetrySchedule): { backoffStrategy: (attemptsMade: number) => number } {
  return { backoffStrategy: (attemptsMade) => sendBackoffMs(attemptsMade, schedule) };
}
