// Fails the whole run at once, with one clear line, when a service the tests need is not answering.
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';

const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/mailgate';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HINT = 'start it with: bash scripts/services.sh up';

async function pingMongo(): Promise<void> {
  const client = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

async function pingRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

export default async function setup(): Promise<void> {
  const failures: string[] = [];
  await pingMongo().catch(() => failures.push(`MongoDB-wire server not answering at ${MONGO_URL}`));
  await pingRedis().catch(() => failures.push(`Redis not answering at ${REDIS_URL}`));
  if (failures.length > 0) throw new Error(`${failures.join('; ')} — ${HINT}`);
}
