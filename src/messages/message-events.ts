import { appEventId, type AppEvent, type MessageEventData } from '../shared/app-events.ts';
import type { FinalOutcome } from './message-repository.ts';
import type { MessageRecord } from './message.model.ts';

type MessageEventType = Extract<AppEvent['type'], `message.${string}`>;
export type MessageOfEvent = Pick<MessageRecord, '_id' | 'to' | 'kind' | 'template' | 'subscriptionType'>;

/** A message event (webhooks, docs/rules.md §9); its id is stable per message and type, so a re-run emits the same event. */
export function messageEvent(message: MessageOfEvent, type: MessageEventType, extra: Pick<MessageEventData, 'reason' | 'statusCode' | 'diagnostic'> = {}, at = new Date()): AppEvent {
  const data: MessageEventData = {
    messageId: message._id,
    kind: message.kind,
    template: message.template,
    ...(message.subscriptionType === undefined ? {} : { subscriptionType: message.subscriptionType }),
  };
  for (const key of ['reason', 'statusCode', 'diagnostic'] as const) if (extra[key] !== undefined) data[key] = extra[key];
  return { id: appEventId(message._id, type), type, address: message.to, at, data };
}

/** The event a final outcome tells: sent, suppressed (reason) or failed (reason, the SMTP reply or error). */
export function outcomeEvent(message: MessageOfEvent, outcome: FinalOutcome): AppEvent {
  if (outcome.status === 'sent') return messageEvent(message, 'message.sent', {}, outcome.sentAt ?? new Date());
  if (outcome.status === 'suppressed') return messageEvent(message, 'message.suppressed', outcome.reason === undefined ? {} : { reason: outcome.reason });
  return messageEvent(message, 'message.failed', {
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    ...(outcome.detail === undefined ? {} : { diagnostic: outcome.detail }),
  });
}
