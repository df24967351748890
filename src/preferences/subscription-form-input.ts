import { z } from 'zod';
import { badRequest, unprocessable } from '../shared/errors.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';

/** A form id is its URL slug: `/subscribe/<id>`. */
export const FORM_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
/** Slugs that name other pages under /subscribe (the confirmation link) and can never be a form. */
const RESERVED_IDS = new Set(['confirm']);

export const TITLE_MAX = 200;
export const INTRO_MAX = 2000;

const title = z.string().trim().min(1).max(TITLE_MAX);
const intro = z.string().trim().max(INTRO_MAX);
const fields = z
  .object({
    title: z.object({ en: title, de: title }).strict(),
    intro: z.object({ en: intro, de: intro }).strict().default({ en: '', de: '' }),
    types: z.array(z.string().min(1).max(64)).min(1).max(64),
    enabled: z.boolean().default(true),
  })
  .strict();
const createSchema = fields.extend({ id: z.string() }).strict();
const updateSchema = z
  .object({
    title: fields.shape.title.optional(),
    intro: z.object({ en: intro, de: intro }).strict().optional(),
    types: fields.shape.types.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
const actorSchema = z.string().trim().min(1).max(320);

export interface FormFields {
  title: { en: string; de: string };
  intro: { en: string; de: string };
  /** Subscription type ids, in the order the page offers them; no duplicates. */
  types: string[];
  enabled: boolean;
}
export type CreateFormInput = FormFields & { id: string };
export type UpdateFormInput = Partial<FormFields>;
/** What a caller (the console) hands `create`: intro and enabled may be left out (empty, enabled). */
export type CreateFormRequest = z.input<typeof createSchema>;
export type UpdateFormRequest = z.input<typeof updateSchema>;

/** `invalid_form_id` (400) unless `id` is a slug a form may have. */
export function checkFormId(id: unknown): string {
  if (typeof id !== 'string' || !FORM_ID.test(id) || RESERVED_IDS.has(id)) {
    throw badRequest('invalid_form_id', 'A form id is 2–63 lower-case letters, digits or hyphens, starting with a letter or digit (and not "confirm")');
  }
  return id;
}

export function checkActor(actor: unknown): string {
  const parsed = actorSchema.safeParse(actor);
  if (!parsed.success) throw badRequest('invalid_actor', 'A form change names the operator who makes it');
  return parsed.data;
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw unprocessable('invalid_subscription_form', `Invalid form: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

/** `unknown_subscription_type` (422) naming every offered id the catalog does not know. Duplicates are dropped. */
function checkTypes(catalog: SubscriptionCatalog, types: string[]): string[] {
  catalog.assertKnown(types);
  return [...new Set(types)];
}

/** What `SubscriptionForms.create` stores: the id checked first, then the fields, then the types against the catalog. */
export function parseCreateForm(catalog: SubscriptionCatalog, input: unknown): CreateFormInput {
  const raw = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const id = checkFormId(raw.id);
  const data = parseWith(createSchema, input);
  return { ...data, id, types: checkTypes(catalog, data.types) };
}

/** What `SubscriptionForms.update` changes; absent fields stay as they are. */
export function parseUpdateForm(catalog: SubscriptionCatalog, input: unknown): UpdateFormInput {
  const data = parseWith(updateSchema, input);
  const out: UpdateFormInput = {};
  if (data.title) out.title = data.title;
  if (data.intro) out.intro = data.intro;
  if (data.types) out.types = checkTypes(catalog, data.types);
  if (data.enabled !== undefined) out.enabled = data.enabled;
  return out;
}
