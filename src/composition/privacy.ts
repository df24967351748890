import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from '../config.ts';
import { ErasedAddressRepository, privacyRoutes, type PrivacyDeps } from '../privacy/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface Privacy {
  /** The erasure records, keyed with MAILGATE_ERASURE_KEY: the subscriptions store asks them about addresses without a state. */
  erased: ErasedAddressRepository;
  /** `GET /v1/addresses/:a/export` and `DELETE /v1/addresses/:a` (api role), over the domains that hold the address. */
  routes(holders: Omit<PrivacyDeps, 'erased' | 'logger'>): Router;
}

/**
 * Erasure and access (GDPR Art. 17 and 15). At start-up every process logs how many erasure records
 * are still keyed the old way (with a MAILGATE_SECRET), so an operator can watch the count fall to 0
 * before retiring an old secret (README, "The erasure key").
 */
export function buildPrivacy(life: Lifecycle, deps: { config: Config; logger: Logger; db: Connection }): Privacy {
  const { config } = deps;
  const logger = deps.logger.child({ module: 'privacy' });
  if (config.usingDevErasureKey) logger.warn({ event: 'config.dev_erasure_key' }, 'MAILGATE_ERASURE_KEY is not set: using the development erasure key');
  const erased = new ErasedAddressRepository({ db: deps.db, erasureKey: config.erasureKey, legacySecrets: config.secrets });
  life.onStart(async () => {
    const count = await erased.legacyCount();
    logger.info({ event: 'privacy.legacy_erasure_records', count }, `${count} erasure record(s) still keyed with a MAILGATE_SECRET`);
  });
  return { erased, routes: (holders) => privacyRoutes({ ...holders, erased, logger }) };
}
