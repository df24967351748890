import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One stored template in `stored_templates`: `_id` is its name. The draft's source is kept as a
 * JSON string because sample data may hold keys MongoDB refuses (`$x`, `a.b`), as message data is.
 * `latestVersion` and `publishedJson` (the newest version's source) let every process learn the
 * newest version of every template in one read of this small collection.
 */
export interface StoredTemplateDoc {
  _id: string;
  sourceJson: string;
  revision: number;
  editedBy: string;
  editedAt: Date;
  latestVersion?: number;
  publishedJson?: string;
}

/**
 * One immutable version in `stored_template_versions`: `_id` is `<name>#<n>`, so reading a version
 * is an exact `{_id}` find, the only filter FerretDB pushes down (see docs/ferretdb.md), and two
 * publishes racing for the same number collide on the key instead of both winning.
 */
export interface StoredVersionDoc {
  _id: string;
  name: string;
  version: number;
  sourceJson: string;
  author: string;
  at: Date;
  note: string;
  restoredFrom?: number;
}

/**
 * Each saved draft revision in `stored_template_drafts`, `_id` `<name>#<revision>`: inserting it is
 * how a save claims the next revision. FerretDB evaluates a compare-and-set filter (`{_id,
 * revision}`) in Go after a scan, so two saves can both match it; two inserts of one `_id` cannot
 * both succeed (see docs/ferretdb.md, the consent writer does the same).
 */
export interface StoredDraftDoc {
  _id: string;
  name: string;
  revision: number;
  sourceJson: string;
  editedBy: string;
  editedAt: Date;
}

const draftSchema = new Schema<StoredDraftDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    revision: { type: Number, required: true },
    sourceJson: { type: String, required: true },
    editedBy: { type: String, required: true },
    editedAt: { type: Date, required: true },
  },
  { collection: 'stored_template_drafts', versionKey: false, autoIndex: false },
);

const templateSchema = new Schema<StoredTemplateDoc>(
  {
    _id: { type: String, required: true },
    sourceJson: { type: String, required: true },
    revision: { type: Number, required: true },
    editedBy: { type: String, required: true },
    editedAt: { type: Date, required: true },
    latestVersion: { type: Number },
    publishedJson: { type: String },
  },
  { collection: 'stored_templates', versionKey: false, autoIndex: false },
);

const versionSchema = new Schema<StoredVersionDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    version: { type: Number, required: true },
    sourceJson: { type: String, required: true },
    author: { type: String, required: true },
    at: { type: Date, required: true },
    note: { type: String, default: '' },
    restoredFrom: { type: Number },
  },
  { collection: 'stored_template_versions', versionKey: false, autoIndex: false },
);

export type StoredTemplateModel = Model<StoredTemplateDoc>;
export type StoredVersionModel = Model<StoredVersionDoc>;

export const storedTemplateModel = (db: Connection): StoredTemplateModel =>
  (db.models.StoredTemplate as StoredTemplateModel | undefined) ?? db.model<StoredTemplateDoc>('StoredTemplate', templateSchema);
export const storedVersionModel = (db: Connection): StoredVersionModel =>
  (db.models.StoredTemplateVersion as StoredVersionModel | undefined) ?? db.model<StoredVersionDoc>('StoredTemplateVersion', versionSchema);
export type StoredDraftModel = Model<StoredDraftDoc>;
export const storedDraftModel = (db: Connection): StoredDraftModel =>
  (db.models.StoredTemplateDraft as StoredDraftModel | undefined) ?? db.model<StoredDraftDoc>('StoredTemplateDraft', draftSchema);
