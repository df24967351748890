import { z } from 'zod';
import type { FeedbackRepository } from '../feedback/index.ts';
import type { MessageRepository } from '../messages/index.ts';
import { messageViewSchema, toMessageView } from '../messages/index.ts';
import type { ErasedAddressRepository } from './erased-address-repository.ts';
import type { WebhookRepository } from '../webhooks/index.ts';
import {
  SUPPRESSION_KINDS,
  addressViewSchema,
  consentEventViewSchema,
  toAddressView,
  type Erasure,
  type MongoSubscriptionStore,
  type SubscriptionCatalog,
} from '../subscriptions/index.ts';

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
    webhookDeliveries: z
      .array(z.object({ endpointId: z.string(), eventId: z.string(), type: z.string(), status: z.string(), createdAt: z.iso.datetime(), deliveredAt: z.iso.datetime().optional() }))
      .meta({ description: `The webhook deliveries that told the application about this address (newest ${EXPORT_MAX_MESSAGES} at most)` }),
    erasure: z
      .object({
        erasedAt: z.iso.datetime(),
        suppression: z
          .object({
            kind: z.enum(SUPPRESSION_KINDS),
            at: z.iso.datetime(),
            source: z.enum(['bounce', 'complaint']),
            provider: z.string().optional(),
            eventId: z.string().optional(),
            statusCode: z.string().optional(),
          })
          .optional()
          .meta({ description: 'A bounce or complaint heard after the erasure, kept on the record (no address, no diagnostic)' }),
      })
      .optional()
      .meta({ description: 'Present when the address was erased: all that is held of it then is this record (and what came after it)' }),
  })
  .meta({ id: 'AddressExport' });
export type AddressExport = z.infer<typeof addressExportSchema>;

export interface ExportDeps {
  store: MongoSubscriptionStore;
  catalog: SubscriptionCatalog;
  messages: MessageRepository;
  feedback: FeedbackRepository;
  erased: Pick<ErasedAddressRepository, 'find'>;
  webhooks: Pick<WebhookRepository, 'deliveriesFor'>;
}

/**
 * Everything mailgate holds about one address, as one document (docs/rules.md §10, GDPR Art. 15):
 * its state, its consent history, the messages sent (or not) to it with their outcomes, and the
 * relay feedback about it, and the webhook deliveries that told the application about it. Read-only. An erased address answers 200 with what is held: the
 * erasure record's time and any suppression heard since (its state reads `erased: true`), and
 * anything that came after it (e.g. a transactional message sent since, feedback filed under the
 * record's key) — not 404, since the record is itself data about the person.
 */
export async function exportAddress(deps: ExportDeps, address: string, now = new Date()): Promise<AddressExport> {
  const [state, consentHistory, messages, named, erasure] = await Promise.all([
    deps.store.get(address),
    deps.store.history(address),
    deps.messages.recentFor(address, EXPORT_MAX_MESSAGES),
    deps.feedback.forAddress(address),
    deps.erased.find(address),
  ]);
  // Feedback heard after the erasure is filed under the record's key, not the address (feedback/erased-feedback.ts).
  const keyed = erasure ? await deps.feedback.forErasure(erasure.key) : [];
  const feedback = [...named, ...keyed].sort((a, b) => a.at.getTime() - b.at.getTime());
  const deliveries = await deps.webhooks.deliveriesFor(address, EXPORT_MAX_MESSAGES);
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
    webhookDeliveries: deliveries.map((d) => ({
      endpointId: d.endpointId,
      eventId: d.eventId,
      type: d.type,
      status: d.status,
      createdAt: d.createdAt.toISOString(),
      ...(d.deliveredAt ? { deliveredAt: d.deliveredAt.toISOString() } : {}),
    })),
    ...(erasure ? { erasure: erasureView(erasure) } : {}),
  };
}

function erasureView(erasure: Erasure): NonNullable<AddressExport['erasure']> {
  const s = erasure.suppression;
  return { erasedAt: erasure.erasedAt.toISOString(), ...(s ? { suppression: { ...s, at: s.at.toISOString() } } : {}) };
}
