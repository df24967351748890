/**
 * Erasure records keyed before MAILGATE_ERASURE_KEY (README, "The erasure key"):
 *   npm run erasures -- status               how many records are still keyed with a MAILGATE_SECRET
 *   npm run erasures -- migrate [file]       moves every record it can find to the erasure key
 * `migrate` looks up every address mailgate holds a state for, and every address in `file` (one per
 * line), or on standard input when no file is named and it is not a terminal: the operator's own
 * lists, where a re-import would come from. Run it with every old MAILGATE_SECRET still configured.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfigOrExit } from '../src/config.ts';
import { createLogger } from '../src/shared/logger.ts';
import { connectMongo } from '../src/composition/connections.ts';
import { ErasedAddressRepository, migrateErasureKeys } from '../src/privacy/index.ts';
import { MongoSubscriptionStore, SubscriptionCatalog } from '../src/subscriptions/index.ts';

const USAGE = `usage: npm run erasures -- status
       npm run erasures -- migrate [file with one address per line]`;

async function* lines(path: string | undefined): AsyncGenerator<string> {
  if (path === undefined && process.stdin.isTTY) return;
  const input = path === undefined ? process.stdin : createReadStream(path, 'utf8');
  yield* createInterface({ input, crlfDelay: Infinity });
}

async function* addressesOf(store: MongoSubscriptionStore, file: string | undefined): AsyncGenerator<string> {
  for await (const state of store.streamStates()) yield state.address;
  yield* lines(file);
}

async function main(argv: string[]): Promise<number> {
  const [command, file, ...extra] = argv;
  if ((command !== 'status' && command !== 'migrate') || extra.length > 0 || (command === 'status' && file !== undefined)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrExit();
  const db = await connectMongo(config.mongoUrl);
  try {
    const erased = new ErasedAddressRepository({ db, erasureKey: config.erasureKey, legacySecrets: config.secrets });
    if (command === 'status') {
      process.stdout.write(`${await erased.legacyCount()} erasure record(s) still keyed with a MAILGATE_SECRET\n`);
      return 0;
    }
    const logger = createLogger(config.logLevel);
    const store = new MongoSubscriptionStore({ db, catalog: SubscriptionCatalog.load(config.templatesDir), logger, erased });
    const report = await migrateErasureKeys({ erased }, addressesOf(store, file));
    process.stdout.write(
      `checked ${report.checked} address(es) (${report.invalid} invalid line(s) skipped); moved ${report.moved} record(s) to MAILGATE_ERASURE_KEY; ${report.left} still keyed with a MAILGATE_SECRET\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
