// Answers exit 0 when the service at the URL answers a real ping. Used by scripts/services.sh.
// Usage: node scripts/ping.mjs mongo|redis URL
const [kind, url] = process.argv.slice(2);
const timeout = setTimeout(() => process.exit(1), 4000);
try {
  if (kind === 'mongo') {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000 });
    await client.db('admin').command({ ping: 1 });
    await client.close();
  } else {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.connect();
    await redis.ping();
    redis.disconnect();
  }
  clearTimeout(timeout);
  process.exit(0);
} catch {
  process.exit(1);
}
