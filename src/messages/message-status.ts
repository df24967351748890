import { notFound, unavailable } from '../shared/errors.ts';
import type { MessageView } from '../contract/index.ts';
import { consentEventOf } from '../subscriptions/index.ts';
import type { MessageRepository, StoredMessage } from './message-repository.ts';

const ID = /^[a-f0-9]{24}$/;

export function toMessageView(record: StoredMessage): MessageView {
  const view: MessageView = {
    id: record._id,
    kind: record.kind,
    to: record.to,
    template: record.template,
    status: record.status,
    attempts: record.attempts ?? 0,
    createdAt: record.createdAt.toISOString(),
  };
  if (record.templateVersion !== undefined) view.templateVersion = record.templateVersion;
  if (record.subscriptionType !== undefined) view.subscriptionType = record.subscriptionType;
  if (record.stream !== undefined) view.stream = record.stream;
  if (record.bypassFrequencyCap === true) view.bypassFrequencyCap = true;
  if (record.relay !== undefined) view.relay = record.relay;
  if (record.reason !== undefined) view.reason = record.reason;
  if (record.detail !== undefined) view.detail = record.detail;
  if (record.sendAt !== undefined) view.sendAt = record.sendAt.toISOString();
  if (record.sentAt !== undefined) view.sentAt = record.sentAt.toISOString();
  if (record.feedback) {
    const { type, at, provider, statusCode, diagnostic } = record.feedback;
    view.feedback = { type, at: at.toISOString(), provider, ...(statusCode ? { statusCode } : {}), ...(diagnostic ? { diagnostic } : {}) };
  }
  if (record.delayed) {
    const { at, provider, statusCode, diagnostic } = record.delayed;
    view.delayed = { at: new Date(at).toISOString(), provider, ...(statusCode ? { statusCode } : {}), ...(diagnostic ? { diagnostic } : {}) };
  }
  if (record.decision) {
    const { rule, stateVersion, consentMode, frequencyCap } = record.decision;
    view.decision = { rule, consentEvent: consentEventOf(record.to, stateVersion), consentMode, ...(frequencyCap ? { frequencyCap } : {}) };
  }
  return view;
}

/** `GET /v1/messages/:id`: the message and where it stands. */
export async function getMessageStatus(messages: MessageRepository, id: string): Promise<MessageView> {
  if (!ID.test(id)) throw notFound('message_not_found', 'No message with this id');
  const record = await messages.findView(id).catch((err: unknown) => {
    throw unavailable('service_unavailable', 'The message store is unavailable; try again', err);
  });
  if (!record) throw notFound('message_not_found', 'No message with this id');
  return toMessageView(record);
}
