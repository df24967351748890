import { createHash } from 'node:crypto';

/**
 * What happened, as the application learns it through webhooks (docs/rules.md §9). A domain writes
 * the event with the change it describes (its outbox mark) and emits it once that is stored; the
 * webhooks domain records and delivers it. The types live here so that a domain can emit without
 * importing the webhooks domain.
 */
export const APP_EVENT_TYPES = [
  'subscription.changed',
  'message.sent',
  'message.suppressed',
  'message.failed',
  'message.bounced',
  'message.complained',
  'sending.paused',
  'sending.resumed',
] as const;
export type AppEventType = (typeof APP_EVENT_TYPES)[number];

/** The state of an address as a webhook tells it (dates as ISO strings). */
export interface StateSnapshot {
  optedOutOfAll: boolean;
  subscriptions: Record<string, string>;
  suppression: { kind: string; at: string } | null;
  /** Present and true only in the `after` of an erasure (docs/rules.md §10). */
  erased?: true;
}

export interface SubscriptionChangedData {
  before: StateSnapshot;
  after: StateSnapshot;
  /** The consent source (`one_click`, `operator`, `bulk_import`, `bounce`, …) or `erasure`. */
  source: string;
  /** The consent event that records the change; absent for an erasure (its events are gone). */
  consentEventId?: string;
}

export interface MessageEventData {
  messageId: string;
  kind: string;
  template: string;
  subscriptionType?: string;
  /** Why it was suppressed or failed. */
  reason?: string;
  /** The relay's status code and diagnostic, for failed, bounced and complained. */
  statusCode?: string;
  diagnostic?: string;
}

/**
 * A stream's marketing paused or resumed by the reputation guard or an operator (docs/rules.md §13).
 * Its `address` is the pseudo-address `stream:<name>`: a stream's events keep their order.
 */
export interface SendingEventData {
  stream: string;
  by: 'guard' | 'operator';
  /** `guard`, or the operator's account or API key actor. */
  actor: string;
  explanation?: string;
  /** The window whose figures decided a guard pause. */
  window?: string;
  figures?: { sends: number; hardBounces: number; softBounces: number; complaints: number };
  rates?: { complaintRate: number; hardBounceRate: number };
  /** The templates and subscription types that drew the complaints, most first. */
  topTemplates?: { template: string; subscriptionType?: string; sends: number; complaints: number }[];
}

/** The pseudo-address of a stream's own events: they are ordered per stream as an address's are. */
export const streamEventAddress = (stream: string): string => `stream:${stream}`;

interface EventBase {
  /** Stable: the same happening always has the same id (a retry or replay never makes a new one). */
  id: string;
  /** The normalized address the event is about; deliveries keep their order per address. */
  address: string;
  at: Date;
}

export type AppEvent =
  | (EventBase & { type: 'subscription.changed'; data: SubscriptionChangedData })
  | (EventBase & { type: 'sending.paused' | 'sending.resumed'; data: SendingEventData })
  | (EventBase & { type: Exclude<AppEventType, 'subscription.changed' | 'sending.paused' | 'sending.resumed'>; data: MessageEventData });

/** An event as the outbox keeps it in a document and the sink takes it back from there. */
export interface StoredAppEvent {
  id: string;
  type: AppEventType;
  address: string;
  at: Date;
  data: object;
}

/**
 * The outbox (docs/architecture.md "Outbox"): the events a change has not announced yet, written in
 * the same document as the change (field `outbox`), so no crash or refused insert can separate the
 * two. The sink removes the mark once the events' deliveries are stored; the outbox sweep announces
 * what is still marked after a grace, with the same event ids.
 */
export interface OutboxMark {
  /** When the change was written: the sweep leaves younger marks to the writer's own emit. */
  at: Date;
  events: StoredAppEvent[];
}

/** The collections whose documents may carry an outbox mark (the sweep reads each, by its sparse `outbox.at` index). */
export const OUTBOX_COLLECTIONS = ['message_outcomes', 'consent_events', 'message_feedback', 'stream_guard_events'] as const;
export type OutboxCollection = (typeof OUTBOX_COLLECTIONS)[number];

/** A document carrying an outbox mark, which the sink clears once the events are stored. */
export interface OutboxRef {
  collection: OutboxCollection;
  id: string;
}

/** Where domains hand their events. It never throws: a change that is stored stays stored. */
export interface AppEventSink {
  /** `marks`: the documents whose outbox holds these events; cleared once their deliveries are stored. */
  emit(events: readonly AppEvent[], marks?: readonly OutboxRef[]): Promise<void>;
  /** Whether any endpoint wants this type now: only such events are marked (the send path pays nothing otherwise). */
  wants(type: AppEventType): boolean;
}

export const NO_EVENTS: AppEventSink = { emit: async () => undefined, wants: () => false };

/** The outbox mark for a change that tells these events: only those some endpoint wants; undefined when none. */
export function outboxMark(sink: AppEventSink, events: readonly AppEvent[], at = new Date()): OutboxMark | undefined {
  const wanted = events.filter((event) => sink.wants(event.type));
  return wanted.length > 0 ? { at, events: wanted.map(({ id, type, address, at: happened, data }) => ({ id, type, address, at: happened, data })) } : undefined;
}

/**
 * A stable event id from what identifies the happening (a consent event id, a message id and the
 * type): hashed, because it travels in the `webhook-id` header and the parts may hold an address.
 */
export const appEventId = (...parts: string[]): string => `evt_${createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 27)}`;
