import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import type { Locale } from '../shared/locale.ts';

const localized = z.object({ en: z.string().min(1), de: z.string().min(1) }).strict();
const catalogSchema = z
  .object({
    types: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'ids are lower-case letters, digits, - and _'),
            name: localized,
            description: localized,
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .refine((c) => new Set(c.types.map((t) => t.id)).size === c.types.length, 'type ids must be unique');

export type SubscriptionType = z.infer<typeof catalogSchema>['types'][number];

/** `GET /v1/subscription-types`: one type in one language. */
export const subscriptionTypeViewSchema = z.object({ id: z.string(), name: z.string(), description: z.string() }).meta({ id: 'SubscriptionType' });
export type SubscriptionTypeView = z.infer<typeof subscriptionTypeViewSchema>;

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** The subscription types, versioned with the templates (templates/subscription-types.json). */
export class SubscriptionCatalog {
  private readonly byId: Map<string, SubscriptionType>;

  constructor(readonly types: SubscriptionType[]) {
    this.byId = new Map(types.map((t) => [t.id, t]));
  }

  static load(templatesDir: string): SubscriptionCatalog {
    const file = join(templatesDir, 'subscription-types.json');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CatalogError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const parsed = catalogSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CatalogError(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    return new SubscriptionCatalog(parsed.data.types);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /**
   * The one unknown-type check: `unknown_subscription_type` (422), naming every id the catalog does
   * not have, for every caller that takes types from outside (messages, operator changes, forms,
   * the consent writer). Callers that report rather than throw (import rows) catch it.
   */
  assertKnown(ids: Iterable<string>): void {
    const unknown = [...new Set(ids)].filter((id) => !this.byId.has(id));
    if (unknown.length > 0) throw new AppError('unknown_subscription_type', `Unknown subscription type: ${unknown.join(', ')}`, { status: 422, details: { unknown } });
  }

  get(id: string): SubscriptionType | undefined {
    return this.byId.get(id);
  }

  /** The API shape: `[{id, name, description}]` in one language. */
  list(locale: Locale = 'en'): SubscriptionTypeView[] {
    return this.types.map((t) => ({ id: t.id, name: t.name[locale], description: t.description[locale] }));
  }
}
