import type { mongo } from 'mongoose';
import { ConfigError } from './config-values.ts';

// Types only: config.ts checks MONGO_URL with this file before anything heavy (the driver) loads.
type MongoClientOptions = mongo.MongoClientOptions;

/**
 * The MongoDB driver options mailgate connects with (docs/scaling.md), a pure function of MONGO_URL.
 *
 * - Write concern `majority` (10 s wtimeout): an outcome or consent change the API acknowledged
 *   survives the loss of the primary. With `w: 1` a failover rolls back what the old primary had
 *   not replicated, so a message could be sent twice or an opt-out forgotten. Majority writes are
 *   journaled by the server's default (writeConcernMajorityJournalDefault), so `j` is left unset:
 *   forcing it fails on an in-memory storage engine.
 * - Retryable writes and reads: a write or read that meets an election is retried once on the new
 *   primary by the driver, instead of failing the request or the job.
 * - Read preference `primary` for every read. The send-time check must see the latest opt-out; a
 *   secondary may lag. No read is routed to a secondary today, so the URL may not ask for one.
 *
 * What the URL itself says wins (e.g. `w=1`, `retryWrites=false` for a server without retryable
 * writes), except what would break a promise above: unacknowledged writes (`w=0`) and a read
 * preference other than `primary` are refused. `replicaSet=` and `mongodb+srv://` are read by the
 * driver as usual (the replica-set name and DNS seed list).
 */

export type MongoTopology = 'single' | 'hosts' | 'replica-set' | 'srv';

export interface MongoConnectOptions {
  topology: MongoTopology;
  /** Driver options, merged by the driver over the URL's: keys the URL sets are left out here. */
  driver: MongoClientOptions;
}

const WTIMEOUT_MS = 10_000;

/**
 * The shape config.ts accepts for MONGO_URL. Not WHATWG `new URL`: it refuses a replica set's host
 * list (`mongodb://a:27017,b:27017/…`); checkedMongoUrl below checks the options.
 */
export const MONGO_URL_SHAPE = /^mongodb(?:\+srv)?:\/\/[^/?#\s]+(?:[/?]\S*)?$/;

const refuse = (why: string): never => {
  throw new ConfigError(`invalid configuration: MONGO_URL: ${why}`);
};

/** The URL's query keys in lower case (the driver reads them case-insensitively). */
function queryKeys(url: string): Map<string, string> {
  const query = url.split('?')[1]?.split('#')[0] ?? '';
  const keys = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) keys.set(key.toLowerCase(), value);
  return keys;
}

/** The host list of the URL, without the user info: `a:27017,b:27017`, or the SRV name. */
function hostsOf(url: string): string {
  const authority = url.replace(/^mongodb(?:\+srv)?:\/\//, '').split(/[/?]/)[0] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1);
}

function topologyOf(url: string, keys: Map<string, string>): MongoTopology {
  if (url.startsWith('mongodb+srv:')) return 'srv';
  if (keys.has('replicaset')) return 'replica-set';
  return hostsOf(url).includes(',') ? 'hosts' : 'single';
}

const BOOLEAN_KEYS = ['retrywrites', 'retryreads', 'directconnection', 'tls', 'ssl'];
const INTEGER_KEYS = ['wtimeoutms', 'wtimeout', 'serverselectiontimeoutms', 'connecttimeoutms', 'sockettimeoutms', 'maxpoolsize'];

/**
 * Refuses, with one line naming MONGO_URL, what would break a promise above or what the driver
 * would only refuse at connect time (test/unit/config-mongo.test.ts checks the driver agrees).
 */
export function checkedMongoUrl(url: string): string {
  const keys = queryKeys(url);
  if (keys.has('replicaset') && !/^[A-Za-z0-9._-]{1,128}$/.test(keys.get('replicaset') ?? '')) refuse('replicaSet= must name the replica set (letters, digits, . _ -)');
  if (keys.get('w') === '0') refuse('w=0 (unacknowledged writes) would lose outcomes and consent changes silently; leave w unset (majority)');
  const readPreference = keys.get('readpreference');
  if (readPreference !== undefined && readPreference !== 'primary') {
    refuse(`readPreference=${readPreference.slice(0, 40)}: every read, the send-time check above all, must come from the primary`);
  }
  for (const key of BOOLEAN_KEYS) if (keys.has(key) && !['true', 'false'].includes(keys.get(key)!)) refuse(`${key} must be true or false`);
  for (const key of INTEGER_KEYS) if (keys.has(key) && !/^\d{1,9}$/.test(keys.get(key)!)) refuse(`${key} must be a whole number of milliseconds`);
  if (url.startsWith('mongodb+srv:') && /[,:]/.test(hostsOf(url))) refuse('a mongodb+srv:// URL names one host name, without a port');
  return url;
}

export function mongoConnectOptions(url: string): MongoConnectOptions {
  const keys = queryKeys(checkedMongoUrl(url));
  const driver: MongoClientOptions = {
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    heartbeatFrequencyMS: 2000,
    maxPoolSize: 20,
    readPreference: 'primary',
    // The command counter (shared/mongo-metrics.ts) listens to these events.
    monitorCommands: true,
  };
  if (!keys.has('w') && !keys.has('wtimeoutms') && !keys.has('wtimeout')) driver.writeConcern = { w: 'majority', wtimeoutMS: WTIMEOUT_MS };
  else if (!keys.has('w')) driver.writeConcern = { w: 'majority' };
  if (!keys.has('retrywrites')) driver.retryWrites = true;
  if (!keys.has('retryreads')) driver.retryReads = true;
  return { topology: topologyOf(url, keys), driver };
}
