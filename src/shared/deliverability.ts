/**
 * What the reputation guard knows (docs/rules.md §13), as the console's deliverability page and
 * `GET /v1/streams` read it. The reputation domain computes it; the console only renders it, so
 * the shape lives here, where both may import it.
 */

/** Recipient provider groups, by the recipient's domain. */
export const PROVIDER_GROUPS = ['gmail', 'microsoft', 'yahoo', 'apple', 'other'] as const;
export type ProviderGroup = (typeof PROVIDER_GROUPS)[number];

/** The rolling windows the guard judges and the page shows. */
export const REPUTATION_WINDOWS = ['24h', '7d', '30d'] as const;
export type ReputationWindow = (typeof REPUTATION_WINDOWS)[number];

/** What was sent and heard back in one window (or one day). Rates are derived: complaints / sends. */
export interface ReputationCounts {
  sends: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
}

/** Fractions (0.001 = 0.1 %); a rate is judged only once `minVolume` sends are in its window. */
export interface ReputationThresholds {
  minVolume: number;
  warnComplaintRate: number;
  pauseComplaintRate: number;
  warnHardBounceRate: number;
  pauseHardBounceRate: number;
}

/** Where a stream's marketing stands: `paused` holds it fleet-wide until an operator resumes it. */
export interface GuardState {
  state: 'ok' | 'warn' | 'paused';
  /** ISO times and who/why, when paused. */
  pausedAt?: string;
  /** `guard` (the rates crossed a pause threshold) or `operator` (paused by hand). */
  pausedBy?: 'guard' | 'operator';
  reason?: string;
}

/** One entry of a stream's guard history (audited: every pause and resume, with its figures). */
export interface GuardHistoryEntry {
  at: string;
  action: 'warned' | 'paused' | 'resumed';
  /** The operator's account or API key name; absent for the guard itself. */
  actor?: string;
  explanation?: string;
  /** The figures that decided it: the window and its counts. */
  window?: ReputationWindow;
  counts?: ReputationCounts;
}

export interface StreamReputation {
  name: string;
  guard: GuardState;
  windows: Record<ReputationWindow, ReputationCounts>;
  byProvider: Record<ProviderGroup, Record<ReputationWindow, ReputationCounts>>;
  /** The last 30 days, oldest first (UTC days, `YYYY-MM-DD`). */
  daily: { day: string; counts: ReputationCounts }[];
  /** Templates (with their subscription type) that drew complaints in the last 7 days, most first. */
  topTemplates: { template: string; subscriptionType?: string; sends: number; complaints: number }[];
  /** Newest first (the last 50). */
  history: GuardHistoryEntry[];
}

export interface DeliverabilityReport {
  generatedAt: string;
  thresholds: ReputationThresholds;
  streams: StreamReputation[];
}

/** Who pauses or resumes a stream by hand, and why (both required: the audit record keeps them). */
export interface GuardActor {
  /** `console:<account email>` or the API key's actor (http/auth.ts API_KEY_ACTOR). */
  actor: string;
  explanation: string;
}

/**
 * What the console and `/v1/streams` may do with the guard (the reputation domain implements it,
 * composition wires it). `pause`/`resume` throw AppError: 404 `unknown_stream`, 422
 * `explanation_required`, 409 `stream_not_paused` (resume of a stream that is not paused) or
 * `stream_already_paused`.
 */
export interface ReputationControl {
  report(): Promise<DeliverabilityReport>;
  pause(stream: string, by: GuardActor): Promise<GuardState>;
  resume(stream: string, by: GuardActor): Promise<GuardState>;
}
