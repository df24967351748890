import { Router } from 'express';
import type { Connection } from 'mongoose';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Config } from '../config.ts';
import type { AppEventSink } from '../shared/app-events.ts';
import type { Logger } from '../shared/logger.ts';
import type { ReadShape } from '../shared/mongo.ts';
import { IMPORT_QUEUE } from '../shared/queues.ts';
import {
  DEFAULT_IMPORT_MAX_BYTES,
  ImportProcessor,
  MongoSubscriptionStore,
  SuppressionList,
  importChunkModel,
  importJobModel,
  importJobOptions,
  importRoutes,
  operatorRoutes,
  suppressionRoutes,
  type ErasedAddresses,
  type ImportJobPayload,
  type SubscriptionCatalog,
} from '../subscriptions/index.ts';
import { addQueue } from './bullmq.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface Subscriptions {
  /** Address states and consent events: the send-time check reads it, every change goes through it. */
  store: MongoSubscriptionStore;
  /** Bulk imports, run by the import worker. */
  importProcessor: ImportProcessor;
  /** The operator API: addresses, history, import/export, suppressions (api role). */
  routes(): Router;
}

/** Subscription state per address, its consent events, and the operator API over them. */
export function buildSubscriptions(
  life: Lifecycle,
  deps: { config: Config; logger: Logger; db: Connection; redis: RedisClient; readShape: ReadShape; catalog: SubscriptionCatalog; erased: ErasedAddresses; events: AppEventSink },
): Subscriptions {
  const { db, catalog } = deps;
  const logger = deps.logger.child({ module: 'subscriptions' });
  const store = new MongoSubscriptionStore({ db, catalog, logger, erased: deps.erased, events: deps.events, readShape: deps.readShape });
  const jobs = importJobModel(db);
  const chunks = importChunkModel(db);
  const importProcessor = new ImportProcessor({ store, jobs, chunks, catalog, logger });
  life.onStart(() => Promise.all([store.ensureIndexes(), jobs.createIndexes(), chunks.createIndexes()]));
  return {
    store,
    importProcessor,
    routes() {
      const queue = addQueue<ImportJobPayload, void, 'import'>(life, { ...deps, logger, name: IMPORT_QUEUE, event: 'import.queue_error', defaultJobOptions: importJobOptions });
      const router = Router();
      router.use(operatorRoutes({ store, catalog }));
      router.use(importRoutes({ jobs, chunks, queue, logger, maxBytes: DEFAULT_IMPORT_MAX_BYTES }));
      router.use(suppressionRoutes({ list: new SuppressionList({ states: store.states }), store, catalog }));
      return router;
    },
  };
}
