import { tryNormalizeAddress } from '../addresses/index.ts';
import type { ErasedAddressRepository } from './erased-address-repository.ts';

/** Addresses looked up at once: one `$in` each. */
const BATCH = 500;

export interface MigrationReport {
  /** Addresses looked up. */
  checked: number;
  /** Lines that were not a single valid address (skipped). */
  invalid: number;
  /** Records moved from a MAILGATE_SECRET to the erasure key. */
  moved: number;
  /** Records still keyed the old way afterwards. */
  left: number;
}

/**
 * The explicit migration of erasure records made before MAILGATE_ERASURE_KEY (`npm run erasures --
 * migrate`). A record's key is a MAC of the address, and mailgate keeps no erased address, so a
 * record can only be moved to the erasure key by looking its address up while the secret that
 * keyed it is still configured. This looks up every address given — the operator's own lists (the
 * ones a re-import would come from) and the addresses mailgate still holds — and each one found
 * under an old secret moves. What is left can only be found by an address mailgate is never given.
 */
export async function migrateErasureKeys(deps: { erased: Pick<ErasedAddressRepository, 'migrate' | 'legacyCount'> }, addresses: AsyncIterable<string>): Promise<MigrationReport> {
  const report: MigrationReport = { checked: 0, invalid: 0, moved: 0, left: 0 };
  let batch: string[] = [];
  const flush = async () => {
    report.checked += batch.length;
    report.moved += await deps.erased.migrate(batch);
    batch = [];
  };
  for await (const line of addresses) {
    if (line.trim() === '') continue;
    const normalized = tryNormalizeAddress(line);
    if (!normalized.ok) report.invalid++;
    else batch.push(normalized.address);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  report.left = await deps.erased.legacyCount();
  return report;
}
