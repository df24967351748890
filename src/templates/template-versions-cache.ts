import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { StoredTemplateCompiler } from './stored-template-compiler.ts';
import type { StoredTemplateRepository } from './stored-template-repository.ts';
import type { CompiledTemplate } from './template-loader.ts';
import type { TemplateInfo } from './types.ts';

/**
 * What one process knows of stored templates, so that neither enqueue nor send reads MongoDB per
 * message: the newest published version of each (re-read whole on a publish announcement and on
 * a short interval, both wired in composition/templates.ts), and the compiled versions, each
 * compiled on first use and kept. A version never changes, so a compiled one never goes stale;
 * only the least recently used leave when more than `maxCompiled` are held.
 */
export class TemplateVersionsCache {
  private heads = new Map<string, TemplateInfo & { version: number }>();
  private readonly compiled = new Map<string, CompiledTemplate>();
  private readonly loading = new Map<string, Promise<CompiledTemplate>>();
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { repository: StoredTemplateRepository; compiler: StoredTemplateCompiler; maxCompiled: number; logger: Logger }) {}

  /**
   * Re-reads the newest version number of every stored template; only a template whose number
   * changed has that version read (one `{_id}` find) for what lists show of it.
   */
  refresh(): Promise<void> {
    // One at a time, in order: an announcement and the interval may ask at once, and an older read must not land last.
    const run = this.refreshing.then(() => this.reread());
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async reread(): Promise<void> {
    const latest = await this.deps.repository.latestVersions();
    const next = new Map<string, TemplateInfo & { version: number }>();
    await Promise.all(
      latest.map(async ({ name, version }) => {
        const known = this.heads.get(name);
        if (known?.version === version) return void next.set(name, known);
        const stored = await this.deps.repository.findVersion(name, version);
        if (!stored) return;
        const { source } = stored;
        next.set(name, { name, kind: source.kind, ...(source.subscriptionType ? { subscriptionType: source.subscriptionType } : {}), subject: source.subject.en, sampleData: source.sampleData, origin: 'stored', version });
        this.deps.logger.info({ event: 'templates.version_seen', template: name, version }, `template "${name}": version ${version} is the newest`);
      }),
    );
    this.heads = next;
  }

  head(name: string): (TemplateInfo & { version: number }) | undefined {
    return this.heads.get(name);
  }

  list(): TemplateInfo[] {
    return [...this.heads.values()];
  }

  /** A compiled version if this process holds it (synchronous, for rendering). */
  get(name: string, version: number): CompiledTemplate | undefined {
    const key = `${name}#${version}`;
    const hit = this.compiled.get(key);
    if (hit) {
      this.compiled.delete(key); // re-insert: a Map iterates in insertion order, so the oldest is evicted first
      this.compiled.set(key, hit);
    }
    return hit;
  }

  /** Compiles a version on its first use in this process: one `{_id}` read, once. */
  async load(name: string, version: number): Promise<CompiledTemplate> {
    const hit = this.get(name, version);
    if (hit) return hit;
    const key = `${name}#${version}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.compile(name, version).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async compile(name: string, version: number): Promise<CompiledTemplate> {
    const stored = await this.deps.repository.findVersion(name, version);
    if (!stored) throw new AppError('version_not_found', `Template "${name}" has no version ${version}`, { status: 404 });
    const { compiled, findings } = await this.deps.compiler.compile(name, stored.source, version);
    // A published version passed the checker; failing now means the partials or catalog changed under it.
    if (!compiled) throw new AppError('render_failed', `template "${name}" version ${version} no longer compiles: ${findings.map((f) => f.message).join('; ').slice(0, 300)}`, { status: 422 });
    this.compiled.set(`${name}#${version}`, compiled);
    this.deps.logger.info({ event: 'templates.version_compiled', template: name, version }, `template "${name}" version ${version} compiled`);
    while (this.compiled.size > this.deps.maxCompiled) this.compiled.delete(this.compiled.keys().next().value!);
    return compiled;
  }
}
