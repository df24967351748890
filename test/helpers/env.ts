import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.ts';

export const TEST_API_KEY = 'test-api-key-0123456789';
export const TEST_SECRET = 'test-secret-0123456789abcdef';
export const TEST_ERASURE_KEY = 'test-erasure-key-0123456789abcdef-0123456789';

const baseMongo = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/mailgate';
const baseRedis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique name per test file (or per test): database name and BullMQ key prefix. */
export function uniqueName(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}

export function mongoUrlFor(database: string): string {
  const url = new URL(baseMongo);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Config for one test file: its own database and queue prefix, port 0, quiet logs. Redis is the
 * shared server, unless `env` names REDIS_SENTINELS or REDIS_CLUSTER_NODES (REDIS_URL is then left
 * out: mixing them is refused).
 */
export function testConfig(label: string, env: Record<string, string | undefined> = {}): Config {
  const name = uniqueName(label);
  return loadConfig({
    NODE_ENV: 'test',
    MONGO_URL: mongoUrlFor(name),
    REDIS_URL: env.REDIS_SENTINELS || env.REDIS_CLUSTER_NODES ? undefined : baseRedis,
    PORT: '0',
    QUEUE_PREFIX: name,
    MAILGATE_API_KEY: TEST_API_KEY,
    MAILGATE_SECRET: TEST_SECRET,
    MAILGATE_ERASURE_KEY: TEST_ERASURE_KEY,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'https://mail.example.test',
    ...env,
  });
}

export const authHeaders = { authorization: `Bearer ${TEST_API_KEY}` };
