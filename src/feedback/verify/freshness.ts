/** How far ahead of our clock a provider's timestamp may be: clocks drift, but not by hours. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Replay window: a signed request is accepted only while its own timestamp is recent. Without it a
 * captured request could be re-sent forever, since the signature stays valid.
 */
export function isFresh(atMs: number, nowMs: number, maxAgeMs: number): boolean {
  if (!Number.isFinite(atMs)) return false;
  return atMs >= nowMs - maxAgeMs && atMs <= nowMs + MAX_FUTURE_SKEW_MS;
}

/** Unix seconds as providers send them ("1588788367"); anything else is not a timestamp. */
export function parseUnixSeconds(value: string): number | undefined {
  return /^\d{1,12}$/.test(value) ? Number(value) * 1000 : undefined;
}
