import type { FeedbackRepository } from '../feedback/index.ts';
import type { MessageRepository, MessageView } from '../messages/index.ts';
import { toMessageView } from '../messages/index.ts';
import { toAddressView, type AddressView, type ConsentEventView, type MongoSubscriptionStore, type SubscriptionCatalog } from '../subscriptions/index.ts';

/** At most this many messages in one export; the newest first. */
export const EXPORT_MAX_MESSAGES = 10_000;

export interface AddressExport {
  address: string;
  exportedAt: string;
  state: AddressView;
  consentHistory: ConsentEventView[];
  messages: MessageView[];
  feedback: { type: string; at: string; provider: string; eventId: string; statusCode?: string; diagnostic?: string; detail?: string; messageId?: string }[];
}

export interface ExportDeps {
  store: MongoSubscriptionStore;
  catalog: SubscriptionCatalog;
  messages: MessageRepository;
  feedback: FeedbackRepository;
}

/**
 * Everything mailgate holds about one address, as one document (PRODUCT.md §10, GDPR Art. 15):
 * its state, its consent history, the messages sent (or not) to it with their outcomes, and the
 * relay feedback about it. Read-only.
 */
export async function exportAddress(deps: ExportDeps, address: string, now = new Date()): Promise<AddressExport> {
  const [state, consentHistory, messages, feedback] = await Promise.all([
    deps.store.get(address),
    deps.store.history(address),
    deps.messages.recentFor(address, EXPORT_MAX_MESSAGES),
    deps.feedback.forAddress(address),
  ]);
  return {
    address,
    exportedAt: now.toISOString(),
    state: toAddressView(state, deps.catalog),
    consentHistory,
    messages: messages.map(toMessageView),
    feedback: feedback.map((f) => ({
      type: f.type,
      at: f.at.toISOString(),
      provider: f.provider,
      eventId: f.eventId,
      ...(f.statusCode ? { statusCode: f.statusCode } : {}),
      ...(f.diagnostic ? { diagnostic: f.diagnostic } : {}),
      ...(f.detail ? { detail: f.detail } : {}),
      ...(f.message?.messageId ? { messageId: f.message.messageId } : {}),
    })),
  };
}
