// The messages domain: the enqueue contract, message records and outcomes, send jobs, status.
// Built by the composition root (src/app.ts); other folders import only from this file.
export * from '../contract/index.ts';
export type { MessageRecord } from './message.model.ts';
export type { MessageOutcome, OutcomeDecision } from './message-outcome.model.ts';
export { MessageRetention, type RetentionReport } from './message-retention.ts';
export { MessageRepository, withOutcome, type RoutingFields, type FeedbackTarget, type FinalOutcome, type ReconcileCandidate, type StoredMessage } from './message-repository.ts';
export { MessageEnqueuer, type EnqueueDeps, type EnqueueOptions } from './enqueue-messages.ts';
export type { TestMessageInput } from './enqueue-test.ts';
export { SendJobs, SEND_JOB, checkpointOfJob, sendJobOptions, type JobStanding, type Schedulable, type SendJobData } from './send-jobs.ts';
export { legacySendJobProcessor, type LegacyMoveResult } from './legacy-send-jobs.ts';
export { StreamRouter, type RoutedStream, type Routable } from './stream-routing.ts';
export { SEND_BACKOFF_TYPE, sendBackoffMs, sendRetrySettings, type SendRetrySchedule } from './send-retry.ts';
export { OutcomeRecorder, sentOutcome, sentOutcomeOf, type SentCheckpoint, type SmtpResult } from './record-outcome.ts';
export { MessageReconciler, RECONCILE_JOB, type ReconcileDeps, type ReconcileReport } from './reconcile-messages.ts';
export { messageEvent, outcomeEvent, type MessageOfEvent } from './message-events.ts';
export { createMessageMetrics, type MessageMetrics } from './message-metrics.ts';
export { getMessageStatus, toMessageView } from './message-status.ts';
export { messageRoutes } from './message-routes.ts';
export { messageApiDoc } from './message-api-doc.ts';
export { relayIdFromReply } from './relay-id.ts';
