import type { Queue } from 'bullmq';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { MailTransport } from '../delivery/index.ts';
import type { HttpsFetchOptions } from '../feedback/index.ts';
import type { BatchResult, EnqueueOptions, EnqueueResult, MessageInput, MessageRepository, MessageView, SendJobData } from '../messages/index.ts';
import type { TokenService } from '../preferences/index.ts';
import type { ReputationControl } from '../shared/deliverability.ts';
import type { Logger } from '../shared/logger.ts';
import type { MessageTags } from '../shared/message-tag.ts';
import type { MongoSubscriptionStore, SubscriptionCatalog, SubscriptionStore } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import type { TemplateAuthoring } from '../shared/template-authoring.ts';

/** What the app is built from; exposed for tests, drills and the bench. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Connection;
  /** Fail-fast connection for request paths and producers. */
  redis: RedisClient;
  metrics: Registry;
  /** Signs and verifies the tokens in email links. */
  tokens: TokenService;
  /** Subscription types from templates/subscription-types.json (validated at start-up). */
  catalog: SubscriptionCatalog;
  /** The keyed tag of every message's VERP address and Message-ID (shared/message-tag.ts). */
  messageTags: MessageTags;
}

/** A running mailgate process, as its entry point, tests, drills and the bench see it. */
export interface App {
  ctx: AppContext;
  /** Base URL of the HTTP server once started (api role only). */
  url: string | undefined;
  /** Port of the inbound feedback SMTP listener once started (feedbackSmtp role, FEEDBACK_SMTP_PORT set). */
  feedbackSmtpPort: number | undefined;
  /** Base URL of the separate METRICS_PORT listener once started (api role, METRICS_PORT set). */
  metricsUrl: string | undefined;
  /** The HTTP handler once started (api role): what it serves, e.g. for the API reference's coverage test. */
  http: Express | undefined;
  /** `authoring`: stored templates' drafts and versions (docs/rules.md §14), for the console's editor. */
  templates: { renderer: TemplateRenderer; authoring: TemplateAuthoring };
  subscriptions: { store: MongoSubscriptionStore };
  /** The reputation guard's report, pause and resume (the console and /v1/streams use the same). */
  reputation: ReputationControl;
  messages: {
    enqueue(input: MessageInput, options?: EnqueueOptions): Promise<EnqueueResult>;
    enqueueBatch(items: unknown[]): Promise<BatchResult>;
    getStatus(id: string): Promise<MessageView>;
    repository: MessageRepository;
    /** Each stream's send queue, by stream name. */
    queues: ReadonlyMap<string, Queue<SendJobData>>;
    /** The single send queue of versions before streams (drained by the send workers). */
    legacyQueue: Queue<SendJobData>;
  };
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the configured ones (the bench's null check; a test's transport). */
export interface AppOverrides {
  /** The store the send-time check reads; the real one otherwise. */
  sendTimeStore?: SubscriptionStore;
  transport?: MailTransport;
  /** How the SNS certificate and SubscribeURL are fetched (a resolver, extra trusted CAs); verification is the same. */
  snsHttps?: HttpsFetchOptions;
  /** The clock console sessions are timed by (their absolute lifetime); Date.now otherwise. */
  consoleClock?: () => number;
}
