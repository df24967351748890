import type { Connection } from 'mongoose';
import { AppError, notFound } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import {
  FORM_ID,
  checkActor,
  checkFormId,
  parseCreateForm,
  parseUpdateForm,
  type CreateFormRequest,
  type UpdateFormRequest,
} from './subscription-form-input.ts';
import { SubscriptionFormRepository } from './subscription-form-repository.ts';
import type { SubscriptionFormRow } from './subscription-form.model.ts';

/** A public re-subscribe form, as the console and the public page see it. */
export interface SubscriptionForm {
  id: string;
  title: { en: string; de: string };
  intro: { en: string; de: string };
  /** Subscription type ids offered, in page order. */
  types: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Operator emails. */
  createdBy: string;
  updatedBy: string;
}

const view = ({ _id, ...row }: SubscriptionFormRow): SubscriptionForm => ({ id: _id, ...row });
const formNotFound = (id: string) => notFound('form_not_found', `No subscription form "${id}"`);

/**
 * The operator's public re-subscribe forms (the seed's HubSpot forms): each has its own URL
 * (`/subscribe/<id>`), title and intro per locale, and the types it offers. The console calls
 * these use cases; the public page reads `findPublished`. Input is checked here, whoever calls.
 */
export class SubscriptionForms {
  private readonly repo: SubscriptionFormRepository;
  private readonly catalog: SubscriptionCatalog;
  private readonly logger: Logger | undefined;

  constructor(deps: { db: Connection; catalog: SubscriptionCatalog; logger?: Logger }) {
    this.repo = new SubscriptionFormRepository({ db: deps.db });
    this.catalog = deps.catalog;
    this.logger = deps.logger;
  }

  ensureIndexes(): Promise<void> {
    return this.repo.ensureIndexes();
  }

  async list(): Promise<SubscriptionForm[]> {
    return (await this.repo.list()).map(view);
  }

  /** `invalid_form_id` (400) for a malformed id, `form_not_found` (404) for an unknown one. */
  async get(id: string): Promise<SubscriptionForm> {
    const row = await this.repo.find(checkFormId(id));
    if (!row) throw formNotFound(id);
    return view(row);
  }

  /** The form the public page shows, or undefined if there is none by that id or it is disabled. */
  async findPublished(id: string): Promise<SubscriptionForm | undefined> {
    if (!FORM_ID.test(id)) return undefined; // never a query for a path no form can have
    const row = await this.repo.find(id);
    return row?.enabled ? view(row) : undefined;
  }

  /** `invalid_form_id` 400, `invalid_subscription_form` 422, `unknown_subscription_type` 422, `form_exists` 409. */
  async create(input: CreateFormRequest, actor: string): Promise<SubscriptionForm> {
    const by = checkActor(actor);
    const { id, ...fields } = parseCreateForm(this.catalog, input);
    const now = new Date();
    const row: SubscriptionFormRow = { _id: id, ...fields, createdAt: now, updatedAt: now, createdBy: by, updatedBy: by };
    if (!(await this.repo.insert(row))) throw new AppError('form_exists', `A subscription form "${id}" exists already`, { status: 409 });
    this.logger?.info({ event: 'preferences.form_created', formId: id, types: row.types });
    return view(row);
  }

  /** Changes the given fields; the others stay. Errors as `create`, and `form_not_found` (404). */
  async update(id: string, input: UpdateFormRequest, actor: string): Promise<SubscriptionForm> {
    const by = checkActor(actor);
    checkFormId(id);
    const change = parseUpdateForm(this.catalog, input);
    const row = await this.repo.update(id, { ...change, updatedAt: new Date(), updatedBy: by });
    if (!row) throw formNotFound(id);
    this.logger?.info({ event: 'preferences.form_updated', formId: id, fields: Object.keys(change) });
    return view(row);
  }

  /** A disabled form's page answers 404; its confirmation links already sent still work. */
  setEnabled(id: string, enabled: boolean, actor: string): Promise<SubscriptionForm> {
    return this.update(id, { enabled }, actor);
  }
}
