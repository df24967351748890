import type { Connection } from 'mongoose';
import { AppError } from '../shared/errors.ts';
import { isDuplicateKey } from '../shared/mongo-errors.ts';
import type { TemplateDraft, TemplateSource, TemplateVersionInfo } from '../shared/template-authoring.ts';
import { parseStoredSource } from './template-source.ts';
import {
  storedDraftModel,
  storedTemplateModel,
  storedVersionModel,
  type StoredDraftDoc,
  type StoredDraftModel,
  type StoredTemplateDoc,
  type StoredTemplateModel,
  type StoredVersionDoc,
  type StoredVersionModel,
} from './stored-template.model.ts';

const versionId = (name: string, n: number) => `${name}#${n}`;
const notFound = (name: string) => new AppError('template_not_found', `No stored template named "${name.slice(0, 100)}": save it with basedOn null to create it`, { status: 404 });

const toDraft = (doc: StoredTemplateDoc): TemplateDraft => ({
  name: doc._id,
  source: parseStoredSource(doc.sourceJson),
  revision: doc.revision,
  editedBy: doc.editedBy,
  editedAt: doc.editedAt.toISOString(),
});

export const toVersionInfo = (doc: StoredVersionDoc): TemplateVersionInfo => ({
  name: doc.name,
  version: doc.version,
  author: doc.author,
  at: doc.at.toISOString(),
  note: doc.note,
  ...(doc.restoredFrom === undefined || doc.restoredFrom === null ? {} : { restoredFrom: doc.restoredFrom }),
});

/** Persistence of stored templates (drafts) and their immutable versions. */
export class StoredTemplateRepository {
  private readonly templates: StoredTemplateModel;
  private readonly drafts: StoredDraftModel;
  private readonly versions: StoredVersionModel;

  constructor(deps: { db: Connection }) {
    this.templates = storedTemplateModel(deps.db);
    this.drafts = storedDraftModel(deps.db);
    this.versions = storedVersionModel(deps.db);
  }

  /** The template's row, rolled forward to the newest claimed draft and version (a writer may have stopped between its claim and the row). */
  private async current(name: string): Promise<StoredTemplateDoc | undefined> {
    let doc = await this.templates.findOne({ _id: name }).lean<StoredTemplateDoc>();
    if (!doc) {
      // Its creator may have claimed revision 1 and stopped before writing the row.
      const first = await this.drafts.findOne({ _id: versionId(name, 1) }).lean<StoredDraftDoc>();
      if (!first) return undefined;
      doc = { _id: name, sourceJson: first.sourceJson, revision: 1, editedBy: first.editedBy, editedAt: first.editedAt };
      await this.templates.create(doc).catch((err: unknown) => (isDuplicateKey(err) ? undefined : Promise.reject(err)));
    }
    for (;;) {
      const next = await this.drafts.findOne({ _id: versionId(name, doc.revision + 1) }).lean<StoredDraftDoc>();
      if (!next) break;
      Object.assign(doc, { sourceJson: next.sourceJson, revision: next.revision, editedBy: next.editedBy, editedAt: next.editedAt });
      await this.templates.updateOne({ _id: name, revision: { $lt: next.revision } }, { $set: { sourceJson: next.sourceJson, revision: next.revision, editedBy: next.editedBy, editedAt: next.editedAt } });
    }
    await this.rollVersionForward(doc);
    return doc;
  }

  private async rollVersionForward(doc: StoredTemplateDoc): Promise<void> {
    for (;;) {
      const next = await this.versions.findOne({ _id: versionId(doc._id, (doc.latestVersion ?? 0) + 1) }).lean<StoredVersionDoc>();
      if (!next) return;
      Object.assign(doc, { latestVersion: next.version, publishedJson: next.sourceJson });
      await this.templates.updateOne({ _id: doc._id }, { $set: { latestVersion: next.version, publishedJson: next.sourceJson } });
    }
  }

  async findDraft(name: string): Promise<(TemplateDraft & { latestVersion?: number }) | undefined> {
    const doc = await this.current(name);
    if (!doc) return undefined;
    return { ...toDraft(doc), ...(doc.latestVersion ? { latestVersion: doc.latestVersion } : {}) };
  }

  async listDrafts(): Promise<(TemplateDraft & { latestVersion?: number; published?: TemplateSource })[]> {
    const names = (await this.templates.find({}, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id);
    const docs = (await Promise.all(names.map((n) => this.current(n)))).filter((d): d is StoredTemplateDoc => d !== undefined);
    return docs.map((doc) => ({
      ...toDraft(doc),
      ...(doc.latestVersion ? { latestVersion: doc.latestVersion } : {}),
      ...(doc.publishedJson ? { published: parseStoredSource(doc.publishedJson) } : {}),
    }));
  }

  /**
   * A save claims revision `basedOn + 1` by inserting `<name>#<revision>`: of two saves on the same
   * revision exactly one insert succeeds, and the other is told who saved first (409
   * `draft_conflict`). A save on any older revision collides too, since every later revision was
   * claimed the same way. The first save (`basedOn` null) claims revision 1.
   */
  async saveDraft(name: string, source: TemplateSource, actor: string, basedOn: number | null): Promise<TemplateDraft> {
    const editedAt = new Date();
    const sourceJson = JSON.stringify(source);
    const revision = (basedOn ?? 0) + 1;
    if (basedOn !== null && !(await this.current(name))) throw notFound(name);
    try {
      await this.drafts.create({ _id: versionId(name, revision), name, revision, sourceJson, editedBy: actor, editedAt });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const winner = await this.current(name);
      const details = winner ? { editedBy: winner.editedBy, editedAt: winner.editedAt.toISOString(), revision: winner.revision } : undefined;
      if (basedOn === null) throw new AppError('template_name_taken', `A stored template named "${name}" exists: load it and save on its latest revision`, { status: 409, details });
      throw new AppError('draft_conflict', `The draft of "${name}" was saved by ${details?.editedBy ?? 'someone else'} at ${details?.editedAt ?? 'the same time'} (revision ${details?.revision ?? revision}); reload it and save again`, { status: 409, details });
    }
    const row = { sourceJson, revision, editedBy: actor, editedAt };
    if (basedOn === null) await this.templates.create({ _id: name, ...row }).catch((err: unknown) => (isDuplicateKey(err) ? undefined : Promise.reject(err)));
    else await this.templates.updateOne({ _id: name, revision: { $lt: revision } }, { $set: row });
    return { name, source, revision, editedBy: actor, editedAt: editedAt.toISOString() };
  }

  /**
   * Stores version n+1: its `_id` makes the number unique, so a racing publish gets a duplicate key
   * and takes the next number. The template's row then follows (and is rolled forward by the next
   * reader if this process stops in between).
   */
  async addVersion(name: string, source: TemplateSource, meta: { author: string; note: string; restoredFrom?: number }): Promise<TemplateVersionInfo> {
    const sourceJson = JSON.stringify(source);
    for (let attempt = 0; attempt < 5; attempt++) {
      const head = await this.current(name);
      if (!head) throw notFound(name);
      const version = (head.latestVersion ?? 0) + 1;
      const doc: StoredVersionDoc = { _id: versionId(name, version), name, version, sourceJson, author: meta.author, at: new Date(), note: meta.note, ...(meta.restoredFrom === undefined ? {} : { restoredFrom: meta.restoredFrom }) };
      try {
        await this.versions.create(doc);
      } catch (err) {
        if (isDuplicateKey(err)) continue;
        throw err;
      }
      await this.templates.updateOne({ _id: name, $or: [{ latestVersion: { $exists: false } }, { latestVersion: { $lt: version } }] }, { $set: { latestVersion: version, publishedJson: sourceJson } });
      return toVersionInfo(doc);
    }
    throw new AppError('publish_conflict', `Too many publishes of "${name}" at once; try again`, { status: 409 });
  }

  /** One version by its exact `_id` (pushed down on FerretDB). */
  async findVersion(name: string, version: number): Promise<(TemplateVersionInfo & { source: TemplateSource }) | undefined> {
    const doc = await this.versions.findOne({ _id: versionId(name, version) }).lean<StoredVersionDoc>();
    return doc ? { ...toVersionInfo(doc), source: parseStoredSource(doc.sourceJson) } : undefined;
  }

  /** Every version of a template, newest first. Console/API only, never on the send path (a scan on FerretDB). */
  async listVersions(name: string): Promise<TemplateVersionInfo[]> {
    const docs = await this.versions.find({ name }, { sourceJson: 0 }).lean<StoredVersionDoc[]>();
    return docs.map(toVersionInfo).sort((a, b) => b.version - a.version);
  }

  /**
   * The newest version number of every published template: the numbers only (sources can be
   * 512 KB each and every process asks every few seconds), plus one `{_id}` read per template to
   * see a version whose row was not moved yet.
   */
  async latestVersions(): Promise<{ name: string; version: number }[]> {
    const docs = await this.templates.find({}, { _id: 1, latestVersion: 1 }).lean<Pick<StoredTemplateDoc, '_id' | 'latestVersion'>[]>();
    const rolled = await Promise.all(docs.map((d) => this.latestOf(d._id, d.latestVersion ?? 0)));
    return docs.flatMap((d, i) => (rolled[i]! > 0 ? [{ name: d._id, version: rolled[i]! }] : []));
  }

  private async latestOf(name: string, known: number): Promise<number> {
    let version = known;
    while (await this.versions.exists({ _id: versionId(name, version + 1) })) version++;
    return version;
  }
}
