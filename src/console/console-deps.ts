import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { Store } from 'express-session';
import type { Registry } from 'prom-client';
import type { CsrfGuard } from '../http/csrf.ts';
import type { MessageRepository } from '../messages/index.ts';
import type { MongoSubscriptionStore, SubscriptionCatalog, SuppressionList } from '../subscriptions/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { ConsoleSection } from './console-roles.ts';
import type { StreamActivity } from './pages/activity-page.ts';
import type { ConsoleUserRepository } from './console-user-repository.ts';
import type { SignInLimits } from './sign-in-limits.ts';

/** Everything the console is built from; the composition root (src/app.ts) builds each part once. */
export interface ConsoleDeps {
  logger: Logger;
  config: { publicUrl: string; secrets: string[]; consoleSessionMaxHours: number };
  /** The clock sessions are timed by (sign-in time, absolute lifetime). */
  now: () => number;
  users: ConsoleUserRepository;
  /** Where sessions live (RedisSessionStore in the app). */
  sessions: Store;
  csrf: CsrfGuard;
  limits: SignInLimits;
  store: MongoSubscriptionStore;
  catalog: SubscriptionCatalog;
  suppressions: SuppressionList;
  messages: MessageRepository;
  /** Each stream's send queue (the latest failed jobs). */
  sendQueues: ReadonlyMap<string, Queue>;
  /** Each stream as it stands (queue depth, relay, limits, back-off), read per request. */
  streams: () => Promise<StreamActivity[]>;
  metrics: Registry;
  /** Pages other folders add (subscription forms, templates, deliverability), mounted behind sign-in and the section's roles. */
  sections?: Partial<Record<ConsoleSection, Router>>;
}
