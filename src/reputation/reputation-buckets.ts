/**
 * Where a stream's counters live in Redis (docs/rules.md §13): one hash per stream and UTC hour
 * (kept 8 days) and per stream and UTC day (kept 31 days). Every key of a stream shares the hash
 * tag `{<stream>}`, and every command touches one key (Redis Cluster comes later).
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** 8 days: the 7-day window plus the hour it started in. */
export const HOUR_TTL_SECONDS = 8 * 24 * 3600;
/** 31 days: the 30 daily points plus today. */
export const DAY_TTL_SECONDS = 31 * 24 * 3600;

export const hourOf = (at: number): number => Math.floor(at / HOUR_MS);
export const dayOf = (at: number): number => Math.floor(at / DAY_MS);

export const hourKey = (prefix: string, stream: string, hour: number): string => `${prefix}:rep:{${stream}}:h:${hour}`;
export const dayKey = (prefix: string, stream: string, day: number): string => `${prefix}:rep:{${stream}}:d:${day}`;

/** `YYYY-MM-DD` of a UTC day number. */
export const dayLabel = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
