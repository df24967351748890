import { z } from 'zod';
import type { FeedbackRepository } from '../feedback/index.ts';
import type { MessageRepository } from '../messages/index.ts';
import { messageViewSchema, toMessageView } from '../messages/index.ts';
import { addressViewSchema, consentEventViewSchema, toAddressView, type MongoSubscriptionStore, type SubscriptionCatalog } from '../subscriptions/index.ts';

/** At most this many messages in one export; the newest first. */
export const EXPORT_MAX_MESSAGES = 10_000;

/** `GET /v1/addresses/:address/export` answer. */
export const addressExportSchema = z
  .object({
    address: z.string(),
    exportedAt: z.iso.datetime(),
    state: addressViewSchema,
    consentHistory: z.array(consentEventViewSchema),
    messages: z.array(messageViewSchema).meta({ description: `The newest ${EXPORT_MAX_MESSAGES} at most` }),
    feedback: z.array(
      z.object({
        type: z.string(),
        at: z.iso.datetime(),
        provider: z.string(),
        eventId: z.string(),
        statusCode: z.string().optional(),
        diagnostic: z.string().optional(),
        detail: z.string().optional(),
        messageId: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'AddressExport' });
export type AddressExport = z.infer<typeof addressExportSchema>;

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
