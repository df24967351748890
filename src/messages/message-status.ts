import { AppError, notFound, unavailable } from '../shared/errors.ts';
import type { MessageView } from './message-input.ts';
import type { MessageModel, MessageRecord } from './message.model.ts';
import { outcomeCollection, withOutcome } from './message-outcome.model.ts';

const ID = /^[a-f0-9]{24}$/;

export function toMessageView(record: MessageRecord): MessageView {
  const view: MessageView = {
    id: record._id,
    kind: record.kind,
    to: record.to,
    template: record.template,
    status: record.status,
    attempts: record.attempts,
    createdAt: record.createdAt.toISOString(),
  };
  if (record.subscriptionType !== undefined) view.subscriptionType = record.subscriptionType;
  if (record.reason !== undefined) view.reason = record.reason;
  if (record.detail !== undefined) view.detail = record.detail;
  if (record.sendAt !== undefined) view.sendAt = record.sendAt.toISOString();
  if (record.sentAt !== undefined) view.sentAt = record.sentAt.toISOString();
  return view;
}

/** `GET /v1/messages/:id`: the message and where it stands. */
export async function getMessageStatus(model: MessageModel, id: string): Promise<MessageView> {
  if (!ID.test(id)) throw notFound('message_not_found', 'No message with this id');
  let record: MessageRecord | null;
  try {
    // Two point reads by _id: the record, and its outcome once it has one.
    const [stored, outcome] = await Promise.all([
      model.findById(id, { data: 0, idempotencyKey: 0 }).lean<MessageRecord>().exec(),
      outcomeCollection(model).findOne({ _id: id }),
    ]);
    record = stored && withOutcome(stored, outcome);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unavailable('service_unavailable', 'The message store is unavailable; try again', err);
  }
  if (!record) throw notFound('message_not_found', 'No message with this id');
  return toMessageView(record);
}
