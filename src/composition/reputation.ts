import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Connection } from 'mongoose';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import {
  DeliverabilityReports,
  GuardGate,
  GuardRepository,
  HeldJobs,
  ReputationCounters,
  ReputationReader,
  ReputationService,
  StreamGuard,
  StreamPauses,
  createReputationMetrics,
  reputationRoutes,
} from '../reputation/index.ts';
import type { AppEventSink } from '../shared/app-events.ts';
import type { Logger } from '../shared/logger.ts';
import type { Lifecycle } from './lifecycle.ts';

/** How often a send process reads every stream's guard state (one find on `stream_guards`). */
const GATE_REFRESH_MS = 1000;

export interface Reputation {
  /** Where sends, bounces and complaints are counted (the outcome recorder, the feedback applier). */
  counters: ReputationCounters;
  /** The report, pause and resume: the console and /v1/streams (shared/deliverability.ts ReputationControl). */
  service: ReputationService;
  guard: StreamGuard;
  /** `/v1/streams` (api role). */
  routes(): Router;
  /** The send path's gate, refreshed every second, releasing held jobs after a resume (built once, for processes that send). */
  gate(queues: ReadonlyMap<string, Queue>): GuardGate;
}

/** The reputation guard (docs/rules.md §13): counters, the guard that judges them, pause and resume, the gate. */
export function buildReputation(life: Lifecycle, deps: { config: Config; logger: Logger; db: Connection; redis: RedisClient; metrics: Registry; events: AppEventSink }): Reputation {
  const { config, redis } = deps;
  const logger = deps.logger.child({ module: 'reputation' });
  const prefix = config.queuePrefix;
  const streams = config.streams.map((s) => s.name);
  const mailFrom = new Map(config.streams.map((s) => [s.name, s.mailFrom]));
  const repository = new GuardRepository({ db: deps.db });
  const metrics = createReputationMetrics(deps.metrics);
  const reader = new ReputationReader({ redis, prefix });
  let gate: GuardGate | undefined;
  // This process's own gate learns a pause or resume at once; the others within a second.
  const pauses = new StreamPauses({ repository, streams, events: deps.events, metrics, logger, onChange: () => void gate?.refresh() });
  const guard = new StreamGuard({ reader, repository, pauses, thresholds: config.reputation, logger });
  const counters = new ReputationCounters({ redis, prefix, mailFromOf: (stream) => mailFrom.get(stream), logger, onFeedbackFlushed: (names) => guard.evaluateSoon(names) });
  const service = new ReputationService({ reports: new DeliverabilityReports({ reader, repository, streams, thresholds: config.reputation }), pauses });
  life.onStart(() => repository.ensureIndexes());
  // Closed in reverse: the last counts are written, then the evaluations they started finish.
  life.onClose({ close: () => guard.idle() });
  life.onClose(counters);

  return {
    counters,
    service,
    guard,
    routes: () => reputationRoutes({ reputation: service }),
    gate(queues) {
      if (gate) return gate;
      const held = new HeldJobs({ redis, prefix, queues, logger });
      const built = new GuardGate({ repository, streams, held, metrics, logger });
      let timer: NodeJS.Timeout | undefined;
      // The first read before any worker runs: a process does not start by holding everything.
      life.onStart(async () => {
        await built.refresh();
        timer = setInterval(() => void built.refresh(), GATE_REFRESH_MS);
      });
      life.onClose({
        close: async () => {
          clearInterval(timer);
          await built.idle();
        },
      });
      gate = built;
      return built;
    },
  };
}
