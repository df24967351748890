import { Types } from 'mongoose';
import { AppError } from '../shared/errors.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import { describeMissing, missingFields, type TemplateRenderer } from '../templates/index.ts';
import { parseMessageInput, type InputError, type ParsedMessage } from '../contract/index.ts';
import { idempotencyKeyFor, type MessageRecord } from './message.model.ts';
import type { StreamRouter } from './stream-routing.ts';

export type Checked = { ok: true; record: MessageRecord; parsed: ParsedMessage } | { ok: false; error: InputError };

/**
 * Everything about one message to enqueue but storage: shape, addresses, template, subscription
 * type, and data that fills the template (against the fields found at compile time: no render
 * here, one lookup and a walk of the few required paths). A message that passes becomes the record
 * to insert (status `queued`), with the stream it leaves by.
 */
export function checkMessage(deps: { renderer: TemplateRenderer; catalog: SubscriptionCatalog; router: StreamRouter }, input: unknown, headerKey: string | undefined): Checked {
  const result = parseMessageInput(input, headerKey);
  if (!result.ok) return result;
  const parsed = result.message;
  const template = deps.renderer.get(parsed.template);
  if (!template) return { ok: false, error: { status: 422, code: 'unknown_template', message: `No template named "${parsed.template}"` } };
  if (template.kind !== parsed.kind) {
    return {
      ok: false,
      error: { status: 422, code: 'template_kind_mismatch', message: `Template "${parsed.template}" is for ${template.kind} messages, not ${parsed.kind}` },
    };
  }
  if (parsed.kind === 'marketing') {
    const type = parsed.subscriptionType!;
    try {
      deps.catalog.assertKnown([type]);
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: { status: err.status, code: err.code, message: err.message } };
      throw err;
    }
    if (template.subscriptionType !== undefined && template.subscriptionType !== type) {
      return {
        ok: false,
        error: {
          status: 422,
          code: 'subscription_type_mismatch',
          message: `Template "${parsed.template}" belongs to subscription type "${template.subscriptionType}", not "${type}"`,
        },
      };
    }
  }
  const missing = missingFields(deps.renderer.requiredFields(parsed.template, parsed.locale) ?? [], parsed.data);
  if (missing.length > 0) {
    return {
      ok: false,
      error: { status: 422, code: 'template_data_invalid', message: `Template "${parsed.template}" (${parsed.locale}) needs ${describeMissing(missing)}`, details: { missing } },
    };
  }
  const id = new Types.ObjectId().toHexString();
  const record: MessageRecord = {
    _id: id,
    kind: parsed.kind,
    to: parsed.to,
    template: parsed.template,
    data: JSON.stringify(parsed.data),
    locale: parsed.locale,
    idempotencyKey: idempotencyKeyFor(id, parsed.idempotencyKey),
    status: 'queued',
    attempts: 0,
    createdAt: new Date(),
    tagged: true,
    stream: deps.router.route(parsed),
  };
  if (template.version !== undefined) record.templateVersion = template.version; // pinned: a retry renders what was current now
  if (parsed.subscriptionType !== undefined) record.subscriptionType = parsed.subscriptionType;
  if (parsed.from !== undefined) record.from = parsed.from;
  if (parsed.replyTo !== undefined) record.replyTo = parsed.replyTo;
  if (parsed.sendAt !== undefined) record.sendAt = parsed.sendAt;
  if (parsed.bypassFrequencyCap && parsed.kind === 'marketing') record.bypassFrequencyCap = true;
  return { ok: true, record, parsed };
}

/**
 * A stored template's newest version is compiled once per process on first use (then a map
 * lookup), so the data check knows the fields it needs without a render (templates/template-renderer.ts).
 * If it cannot be compiled now, the check is skipped and render refuses the data at send time.
 */
export async function prepareStoredTemplates(renderer: TemplateRenderer, items: readonly unknown[]): Promise<void> {
  if (!renderer.prepare) return;
  const names = new Set<string>();
  for (const item of items) {
    const name = typeof item === 'object' && item !== null ? (item as { template?: unknown }).template : undefined;
    if (typeof name === 'string' && renderer.get(name)?.origin === 'stored') names.add(name);
  }
  await Promise.all([...names].map((name) => renderer.prepare!(name, undefined).catch(() => undefined)));
}
