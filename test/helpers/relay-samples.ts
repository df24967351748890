// The relays' documented samples (test/fixtures/relays/, issue #20) as a test replays them: the
// index with each sample's expected verdict, and a copy of a sample made for one test run, with
// addresses and event ids of its own so that no two samples (and no two runs) share state.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const RELAY_SAMPLES_DIR = resolve(import.meta.dirname, '../fixtures/relays');

export const VERDICTS = ['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe', 'delivered', 'delayed', 'ignored'] as const;
export type Verdict = (typeof VERDICTS)[number];
export type RelayVendor = 'ses' | 'postmark' | 'sendgrid' | 'mailgun';
export type SampleLayer =
  | 'ses-notification'
  | 'ses-event'
  | 'sns-envelope'
  | 'postmark'
  | 'sendgrid-batch'
  | 'sendgrid-event'
  | 'mailgun-body'
  | 'mailgun-event-data';

/** One entry of index.json (its meaning: test/fixtures/relays/SOURCES.md, "How to read index.json"). */
export interface RelaySample {
  file: string;
  vendor: RelayVendor;
  layer: SampleLayer;
  source: string;
  sourceKind: string;
  derived?: string;
  expect: {
    verdict: Verdict;
    addresses: string[];
    note?: string;
    /** `all`, or a subscription type the unsubscribe is limited to. */
    scope?: string;
    byAddress?: Record<string, Verdict>;
    perEvent?: Verdict[];
  };
}

export function loadRelaySamples(): RelaySample[] {
  return JSON.parse(readFileSync(resolve(RELAY_SAMPLES_DIR, 'index.json'), 'utf8')) as RelaySample[];
}

export function sampleText(sample: Pick<RelaySample, 'file'>): string {
  return readFileSync(resolve(RELAY_SAMPLES_DIR, sample.file), 'utf8');
}

/**
 * Where a sample comes from, at the grain of SOURCES.md's table: a vendor's own documentation, or
 * the project whose tests or docs kept it.
 */
export const originOf = (sample: RelaySample): string => (sample.sourceKind === 'vendor-docs' ? `vendor-docs:${sample.vendor}` : sample.sourceKind);

/**
 * The expected verdicts per (original) address: `byAddress` when recipients differ, every verdict
 * of `perEvent` for the one address a batch names, otherwise `verdict` for each address.
 */
export function expectedVerdicts(sample: RelaySample): Map<string, Set<Verdict>> {
  const { verdict, addresses, byAddress, perEvent } = sample.expect;
  const result = new Map<string, Set<Verdict>>();
  if (byAddress) {
    for (const [address, v] of Object.entries(byAddress)) result.set(address, new Set([v]));
    return result;
  }
  for (const address of addresses) result.set(address, new Set(perEvent ?? [verdict]));
  return result;
}

interface JsonVisitor {
  /** The new value of a string value (never of a key); `key` is the nearest enclosing object key. */
  string?(value: string, key: string | undefined): string;
  /** The new token of a number value, as JSON text. */
  number?(token: string, key: string | undefined): string;
}

/**
 * Rewrites the string and number values of a JSON text and leaves every other byte as it was:
 * whitespace, key order, escapes of untouched strings, and numbers JSON.parse would round (Postmark
 * bounce IDs exceed 2^53). The text must be valid JSON.
 */
export function mapJsonText(text: string, visit: JsonVisitor): string {
  JSON.parse(text); // refuse what is not JSON before scanning it
  const stack: { kind: 'object' | 'array'; key: string | undefined }[] = [];
  let key: string | undefined;
  let expectKey = false;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const token = text.slice(i, j + 1);
      const value = JSON.parse(token) as string;
      if (expectKey) {
        key = value;
        expectKey = false;
        out += token;
      } else {
        const next = visit.string?.(value, key) ?? value;
        out += next === value ? token : JSON.stringify(next);
      }
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const token = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i))![0];
      out += visit.number?.(token, key) ?? token;
      i += token.length;
    } else {
      if (c === '{' || c === '[') {
        stack.push({ kind: c === '{' ? 'object' : 'array', key });
        expectKey = c === '{';
      } else if (c === '}' || c === ']') {
        key = stack.pop()?.key;
        expectKey = false;
      } else if (c === ',') {
        expectKey = stack.at(-1)?.kind === 'object';
        if (!expectKey) key = stack.at(-1)?.key;
      }
      out += c;
      i += 1;
    }
  }
  return out;
}

// Anything shaped like an address inside a string value: bare, in a display-name form, in a
// diagnostic, a Message-ID or an ARN. Rewriting a Message-ID too is harmless.
const ADDRESS_LIKE = /([A-Za-z0-9._%+=-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)/g;
/** The vendors' event ids (and SES's message id, which some of its event ids are built from). */
const STRING_ID_KEYS = new Set(['sg_event_id', 'feedbackId', 'id', 'ID', 'messageId']);
const NUMBER_ID_KEYS = new Set(['ID']);
const OPAQUE = /^[^\s@<>]+$/;

export interface LocalizedSample {
  /** The sample's JSON text with every address and event id made this copy's own. */
  text: string;
  /** The address a sample address (lower-cased) became in this copy, lower-cased. */
  addressFor(original: string): string;
  /** Every address the copy names (lower-cased), whether the verdict is about it or not. */
  addresses: Set<string>;
}

/**
 * A sample's copy for one test run: each address `local@domain` becomes `local-<tag>@domain` (case
 * kept; the same address the same way everywhere), and each vendor event id gets `-<tag>`, keeping
 * equal ids equal (a batch that repeats an id still does). Numeric ids keep their length and first
 * digit, so an ID beyond 2^53 stays beyond it (and below 2^63). `tag` must be lower-case letters and digits, unique per sample and run;
 * `serial` (0–9999) unique per sample, for numeric ids. Only JSON string and number values change:
 * no signature is carried over (the test signs the copy afresh).
 */
export function localizeSample(text: string, tag: string, serial: number): LocalizedSample {
  const addresses = new Set<string>();
  const rewriteAddresses = (value: string) =>
    value.replace(ADDRESS_LIKE, (_match, local: string, domain: string) => {
      const rewritten = `${local}-${tag}@${domain}`;
      addresses.add(rewritten.toLowerCase());
      return rewritten;
    });
  const suffix = String(serial).padStart(4, '0');
  const visitor: JsonVisitor = {
    string(value, key) {
      if (key !== undefined && STRING_ID_KEYS.has(key) && OPAQUE.test(value)) return `${value}-${tag}`;
      // SNS wraps the SES notification as a JSON string: its addresses are rewritten inside it.
      if (key === 'Message' && isJsonObjectText(value)) return mapJsonText(value, visitor);
      return rewriteAddresses(value);
    },
    number(token, key) {
      if (key === undefined || !NUMBER_ID_KEYS.has(key) || !/^\d+$/.test(token)) return token;
      // Digits after the first: the ids stay distinct as doubles too, so no two samples collide through a
      // reader that rounds them (an explicit test covers that rounding).
      return token.length > suffix.length + 1 ? token[0] + suffix + token.slice(1 + suffix.length) : token + suffix;
    },
  };
  return {
    text: mapJsonText(text, visitor),
    addressFor: (original) => {
      const at = original.lastIndexOf('@');
      return `${original.slice(0, at)}-${tag}@${original.slice(at + 1)}`.toLowerCase();
    },
    addresses,
  };
}

function isJsonObjectText(value: string): boolean {
  if (!value.trimStart().startsWith('{')) return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}
