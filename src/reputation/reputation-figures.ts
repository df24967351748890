import { PROVIDER_GROUPS, type ProviderGroup, type ReputationCounts } from '../shared/deliverability.ts';
import type { ReputationEventKind } from '../shared/reputation-events.ts';

/**
 * The fields of one counter bucket (a Redis hash per stream and UTC hour or day, written by
 * reputation-counters.ts) and how they add up. A field is `<count>|<sending domain>|<provider group>`
 * or, per template, `t<count>|<template>|<subscription type>` (template and type URI-encoded).
 */
const COUNT_FIELD: Record<ReputationEventKind, string> = { send: 's', hard_bounce: 'hb', soft_bounce: 'sb', complaint: 'c' };
const COUNT_OF: Record<string, keyof ReputationCounts> = { s: 'sends', hb: 'hardBounces', sb: 'softBounces', c: 'complaints' };

export const countField = (kind: ReputationEventKind, domain: string, group: ProviderGroup): string => `${COUNT_FIELD[kind]}|${domain}|${group}`;

/** Templates are counted for sends and complaints only (the "top templates" list). */
export const templateField = (kind: 'send' | 'complaint', template: string, subscriptionType: string | undefined): string =>
  `t${COUNT_FIELD[kind]}|${encodeURIComponent(template)}|${encodeURIComponent(subscriptionType ?? '')}`;

export interface TemplateFigures {
  template: string;
  subscriptionType?: string;
  sends: number;
  complaints: number;
}

export interface Figures {
  total: ReputationCounts;
  byProvider: Record<ProviderGroup, ReputationCounts>;
  byDomain: Map<string, ReputationCounts>;
  templates: Map<string, TemplateFigures>;
}

export const zeroCounts = (): ReputationCounts => ({ sends: 0, hardBounces: 0, softBounces: 0, complaints: 0 });

export const emptyFigures = (): Figures => ({
  total: zeroCounts(),
  byProvider: Object.fromEntries(PROVIDER_GROUPS.map((g) => [g, zeroCounts()])) as Record<ProviderGroup, ReputationCounts>,
  byDomain: new Map(),
  templates: new Map(),
});

const isGroup = (value: string): value is ProviderGroup => (PROVIDER_GROUPS as readonly string[]).includes(value);

/** Adds one bucket's hash (HGETALL) into `into`; unknown fields are skipped. */
export function addBucket(into: Figures, hash: Record<string, string>): Figures {
  for (const [field, raw] of Object.entries(hash)) {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) continue;
    const [head = '', a = '', b = ''] = field.split('|');
    if (head.startsWith('t')) {
      const what = head.slice(1);
      if (what !== 's' && what !== 'c') continue;
      const key = `${a}|${b}`;
      const type = decodeURIComponent(b);
      const row = into.templates.get(key) ?? { template: decodeURIComponent(a), ...(type === '' ? {} : { subscriptionType: type }), sends: 0, complaints: 0 };
      if (what === 's') row.sends += n;
      else row.complaints += n;
      into.templates.set(key, row);
      continue;
    }
    const count = COUNT_OF[head];
    if (!count || !isGroup(b)) continue;
    into.total[count] += n;
    into.byProvider[b][count] += n;
    const domain = into.byDomain.get(a) ?? zeroCounts();
    domain[count] += n;
    into.byDomain.set(a, domain);
  }
  return into;
}

export const sumBuckets = (hashes: readonly Record<string, string>[]): Figures => hashes.reduce(addBucket, emptyFigures());

/** A fraction; 0 without sends. */
export const rateOf = (part: number, sends: number): number => (sends > 0 ? part / sends : 0);

/** Templates that drew complaints, most first (ties: more sends first), at most `limit`. */
export function topTemplates(figures: Figures, limit = 10): TemplateFigures[] {
  return [...figures.templates.values()]
    .filter((t) => t.complaints > 0)
    .sort((x, y) => y.complaints - x.complaints || y.sends - x.sends)
    .slice(0, limit);
}
