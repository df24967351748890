// Brings up what the tests need and does not answer (scripts/services.sh up: a local redis-server,
// mongod or FerretDB), then fails the whole run at once, with one clear line naming the service,
// when one still does not answer.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';

const SERVICES_SCRIPT = fileURLToPath(new URL('../scripts/services.sh', import.meta.url));

async function pingMongo(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  redis.on('error', () => undefined); // the failed connect() says it; no "Unhandled error event" noise
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

/** Runs `services.sh up`; resolves with its stderr (the reason, when it could not start something). */
function servicesUp(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SERVICES_SCRIPT, 'up'], { env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** Exported for test/integration/dev-setup.test.ts, which runs it against services of its own. */
export async function ensureServices(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const mongoUrl = env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/mailgate';
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const up = await servicesUp({ ...env, MONGO_URL: mongoUrl, REDIS_URL: redisUrl });
  const failures: string[] = [];
  await pingMongo(mongoUrl).catch(() => failures.push(`MongoDB-wire server not answering at ${mongoUrl}`));
  await pingRedis(redisUrl).catch(() => failures.push(`Redis not answering at ${redisUrl}`));
  if (failures.length > 0) {
    const reasons = up.stderr.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('services:'));
    const why = reasons.length > 0 ? reasons.join('; ') : `scripts/services.sh up exited ${up.code}`;
    throw new Error(`${failures.join('; ')} — ${why}`);
  }
}

export default async function setup(): Promise<void> {
  await ensureServices();
  // the console's template editor script (npm run build:editor): the browser tests load it
  await import('../scripts/build-editor.ts');
}
