import type { Connection } from 'mongoose';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { ErasedAddressRepository } from '../privacy/index.ts';
import type { Lifecycle } from './lifecycle.ts';

/**
 * The erasure records (privacy domain), keyed with MAILGATE_ERASURE_KEY. At start-up every process
 * logs how many records are still keyed the old way (with a MAILGATE_SECRET), so an operator can
 * watch the count fall to 0 before retiring an old secret (README, "The erasure key").
 */
export function buildErasures(life: Lifecycle, deps: { config: Config; logger: Logger; db: Connection }): ErasedAddressRepository {
  const { config, logger, db } = deps;
  if (config.usingDevErasureKey) logger.warn({ event: 'config.dev_erasure_key' }, 'MAILGATE_ERASURE_KEY is not set: using the development erasure key');
  const erased = new ErasedAddressRepository({ db, erasureKey: config.erasureKey, legacySecrets: config.secrets });
  life.onStart(async () => {
    const count = await erased.legacyCount();
    logger.info({ event: 'privacy.legacy_erasure_records', count }, `${count} erasure record(s) still keyed with a MAILGATE_SECRET`);
  });
  return erased;
}
