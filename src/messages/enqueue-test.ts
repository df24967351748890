import { AppError, unavailable } from '../shared/errors.ts';
import type { Locale } from '../shared/locale.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import type { EnqueueResult } from '../contract/index.ts';
import { checkMessage, prepareStoredTemplates } from './check-message.ts';
import type { MessageMetrics } from './message-metrics.ts';
import type { MessageRepository } from './message-repository.ts';
import type { SendJobs } from './send-jobs.ts';
import type { StreamRouter } from './stream-routing.ts';

export interface TestEnqueueDeps {
  messages: MessageRepository;
  jobs: SendJobs;
  renderer: TemplateRenderer;
  catalog: SubscriptionCatalog;
  router: StreamRouter;
  metrics: MessageMetrics;
}

/** A test send from the console: one template, its data, to the operator's own address. */
export interface TestMessageInput {
  template: string;
  data: Record<string, unknown>;
  locale: Locale;
  to: string;
}

/**
 * Enqueues a test of any template as a `transactional` message marked `test: true`: policy then
 * blocks it only for a hard bounce (the operator asked for it), the sender prefixes the subject
 * "[Test] ", and a marketing template still renders its footer for its own subscription type. Data
 * missing a field is refused by `checkMessage` (template_data_invalid); it is also rendered once
 * here, so what only a render finds (a bad link, a field inside a loop) is refused (422) before
 * anything is stored. The record and its job are written exactly as `MessageEnqueuer.enqueue` writes them.
 */
export async function enqueueTest(deps: TestEnqueueDeps, input: TestMessageInput): Promise<EnqueueResult> {
  const template = deps.renderer.get(input.template);
  if (!template) throw new AppError('unknown_template', `No template named "${input.template}"`, { status: 422 });
  await prepareStoredTemplates(deps.renderer, [{ template: input.template }]);
  const checked = checkMessage(
    deps,
    { kind: template.kind, to: input.to, template: input.template, data: input.data, locale: input.locale, ...(template.subscriptionType ? { subscriptionType: template.subscriptionType } : {}) },
    undefined,
  );
  if (!checked.ok) throw new AppError(checked.error.code, checked.error.message, { status: checked.error.status, details: checked.error.details });
  const { subscriptionType: _type, ...record } = { ...checked.record, kind: 'transactional' as const, test: true, stream: deps.router.route({ kind: 'transactional' }) };
  deps.renderer.render({ template: record.template, data: input.data, locale: record.locale, to: record.to, messageId: record._id });
  deps.jobs.assertReady();
  if ((await deps.messages.insert(record)) === 'duplicate') throw unavailable('service_unavailable', 'The test message could not be stored; try again');
  try {
    await deps.jobs.add([record]);
  } catch (err) {
    await deps.messages.deleteMany([record._id]).catch(() => undefined);
    throw err;
  }
  deps.metrics.enqueued.inc({ kind: record.kind });
  return { id: record._id, status: 'queued' };
}
