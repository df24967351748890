// The reputation guard (docs/rules.md §13): counters per stream in Redis, the guard that judges them,
// pause and resume with their audit, the send path's gate, the report and /v1/streams. Built by the
// composition root (src/composition/reputation.ts).
export { ReputationCounters, type ReputationCountersDeps } from './reputation-counters.ts';
export { ReputationReader } from './reputation-reader.ts';
export { GuardRepository } from './guard-repository.ts';
export { StreamPauses, guardStateOf } from './stream-pauses.ts';
export { StreamGuard } from './stream-guard.ts';
export { GuardGate } from './guard-gate.ts';
export { HeldJobs } from './held-jobs.ts';
export { DeliverabilityReports, type StreamOverview } from './deliverability-report.ts';
export { ReputationService } from './reputation-control.ts';
export { createReputationMetrics, type ReputationMetrics } from './reputation-metrics.ts';
export { reputationRoutes } from './reputation-routes.ts';
export { reputationApiDoc } from './reputation-api-doc.ts';
export { judgeRates, type Judgement } from './judge-rates.ts';
export { providerGroupOf, sendingDomainOf } from './provider-group.ts';
