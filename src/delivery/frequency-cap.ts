import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { RedisClient } from '../shared/redis-client.ts';
import { Counter, type Registry } from 'prom-client';
import { mailboxKey } from '../addresses/index.ts';
import type { FrequencyCapAction, FrequencyCapConfig, FrequencyCapRule } from '../config.ts';
import type { MessageKind } from '../shared/message-kinds.ts';

/**
 * Frequency caps (docs/rules.md §13): at most N marketing messages to one mailbox in a rolling
 * window, overall and per subscription type. Per mailbox (`mailboxKey`: `ann+x@` is `ann@`) a sorted
 * set of message ids scored by the time each took its slot, one for the overall cap and one per
 * capped type. Both keys of a mailbox share a hash tag (one Redis Cluster slot), so one Lua script
 * checks and takes a slot atomically: two workers cannot both take the last one.
 *
 * The keys never hold the address: a keyed hash of the mailbox under a key HKDF derives from the
 * first MAILGATE_SECRET for this purpose alone (like shared/message-tag.ts). Rotating that secret
 * starts every window afresh, which errs towards one message too many, never towards none.
 */
const INFO = 'mailgate:frequency-cap:v1';
const HASH_LENGTH = 32;

/**
 * KEYS: the mailbox's cap keys. ARGV: message id, '1' when it bypasses the cap, then the limit and
 * window (ms) of each key. Time is Redis's (TIME), so every worker's clock agrees.
 * Answers {1, 0}: this id holds its slot already (a retried job); {2, now}: counted;
 * {0, freesAt}: capped, a slot frees at freesAt (ms).
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local holds = false
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - tonumber(ARGV[2 + 2 * i]))
  if redis.call('ZSCORE', KEYS[i], id) then holds = true end
end
if holds then return {1, 0} end
if ARGV[2] ~= '1' then
  local frees = 0
  for i = 1, #KEYS do
    local limit = tonumber(ARGV[1 + 2 * i])
    local count = redis.call('ZCARD', KEYS[i])
    if count >= limit then
      -- Bypassing messages may have filled it past the limit: the slot frees when the entry
      -- count - limit (oldest first) leaves the window.
      local leaving = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
      local at = tonumber(leaving[2]) + tonumber(ARGV[2 + 2 * i])
      if at > frees then frees = at end
    end
  end
  if frees > 0 then return {0, frees} end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, id)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 + 2 * i]))
end
return {2, now}
`;
const TAKE_SHA = createHash('sha1').update(TAKE).digest('hex');

/** What the cap needs of a message. */
export interface CappedMessage {
  _id: string;
  kind: MessageKind;
  to: string;
  subscriptionType?: string | undefined;
  bypassFrequencyCap?: boolean | undefined;
}

/** A slot taken (`counted`, or `bypassed`: counted but never refused), or refused until a slot frees. */
export type CapVerdict = { allowed: true; taken: 'counted' | 'bypassed' } | { allowed: false; freesAt: Date };

export interface FrequencyCapDeps {
  redis: RedisClient;
  /** config.queuePrefix: every key lives under it. */
  prefix: string;
  /** The first MAILGATE_SECRET: the mailbox hash's key is derived from it. */
  secret: string;
  caps: FrequencyCapConfig;
  /** The stream whose sends this instance checks (the metric's label). */
  stream: string;
  /** `mailgate_frequency_capped_total{stream,action}` (createFrequencyCapMetric). */
  capped: Counter<'stream' | 'action'>;
}

export class FrequencyCap {
  private readonly key: Buffer;

  constructor(private readonly deps: FrequencyCapDeps) {
    this.key = Buffer.from(hkdfSync('sha256', deps.secret, Buffer.alloc(0), INFO, 32));
  }

  get action(): FrequencyCapAction {
    return this.deps.caps.action;
  }

  /** Only marketing is capped, and only when a cap covers it (overall, or its type's). */
  applies(message: Pick<CappedMessage, 'kind' | 'subscriptionType'>): boolean {
    return message.kind === 'marketing' && this.rulesOf(message.subscriptionType).length > 0;
  }

  /** Takes the message's slot in every cap that covers it, or says when one frees. Throws when Redis does not answer (the caller fails closed). */
  async take(message: CappedMessage): Promise<CapVerdict> {
    const rules = this.rulesOf(message.subscriptionType);
    const bypass = message.bypassFrequencyCap === true;
    const args = [message._id, bypass ? '1' : '0', ...rules.flatMap(({ rule }) => [String(rule.limit), String(rule.windowMs)])];
    const keys = this.keysOf(message.to, rules);
    const [answer, at] = await this.evalTake(keys, args);
    if (answer === 0) {
      this.deps.capped.inc({ stream: this.deps.stream, action: this.action });
      return { allowed: false, freesAt: new Date(at) };
    }
    return { allowed: true, taken: bypass ? 'bypassed' : 'counted' };
  }

  /** Gives the slot back: the message ended other than sent (docs/rules.md §13). */
  async giveBack(message: CappedMessage): Promise<void> {
    const keys = this.keysOf(message.to, this.rulesOf(message.subscriptionType));
    const tx = this.deps.redis.multi();
    for (const key of keys) tx.zrem(key, message._id);
    await tx.exec();
  }

  private rulesOf(type: string | undefined): { type: string | undefined; rule: FrequencyCapRule }[] {
    const { overall, types } = this.deps.caps;
    const typed = type === undefined ? undefined : types.get(type);
    return [...(overall ? [{ type: undefined, rule: overall }] : []), ...(typed ? [{ type, rule: typed }] : [])];
  }

  /** `<prefix>:fcap:{<hash>}` and `<prefix>:fcap:{<hash>}:<type>`: one hash tag, so one slot. */
  private keysOf(address: string, rules: { type: string | undefined }[]): string[] {
    const hash = createHmac('sha256', this.key).update(mailboxKey(address)).digest('hex').slice(0, HASH_LENGTH);
    const base = `${this.deps.prefix}:fcap:{${hash}}`;
    return rules.map(({ type }) => (type === undefined ? base : `${base}:${type}`));
  }

  /** EVALSHA, loading the script once per Redis server (a restarted Redis answers NOSCRIPT). */
  private async evalTake(keys: string[], args: string[]): Promise<[number, number]> {
    try {
      return (await this.deps.redis.evalsha(TAKE_SHA, keys.length, ...keys, ...args)) as [number, number];
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return (await this.deps.redis.eval(TAKE, keys.length, ...keys, ...args)) as [number, number];
    }
  }
}

/** Built once per process (a registry refuses a second counter of one name). */
export function createFrequencyCapMetric(registry: Registry): Counter<'stream' | 'action'> {
  return new Counter({
    name: 'mailgate_frequency_capped_total',
    help: 'Marketing messages over a frequency cap, by stream and action (suppress or defer)',
    labelNames: ['stream', 'action'] as const,
    registers: [registry],
  });
}
