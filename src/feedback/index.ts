// The feedback domain: what relays report after accepting mail (bounces, complaints, provider
// unsubscribes), by webhook and by bounce mail — classified by one function, authenticated as each
// provider does it, stored once and applied by a job. Built by the composition root (src/app.ts).
export * from './feedback-event.ts';
export { classifyStatus, classifySmtpReply, type Classification, type SmtpReplyClassification, type StatusInput } from './classify.ts';
export { FeedbackRepository } from './feedback-repository.ts';
export { ReceiveFeedback, receivedSchema, type Received } from './receive-feedback.ts';
export { ApplyFeedback } from './apply-feedback.ts';
export { FeedbackReconciler, FEEDBACK_RECONCILE_JOB, withFeedbackReconcile, type FeedbackReconcileReport } from './feedback-reconciler.ts';
export { createFeedbackMetrics, type FeedbackMetrics } from './feedback-metrics.ts';
export { FEEDBACK_JOB, feedbackJobOptions, type FeedbackJobData } from './feedback-jobs.ts';
export { feedbackJobProcessor, feedbackWorkerSettings, watchFeedbackWorker } from './feedback-worker.ts';
export { relayFeedbackRoutes, genericFeedbackRoutes } from './feedback-routes.ts';
export { inboundSmtpOptions, DEFAULT_INBOUND_LIMITS, type InboundSmtpLimits } from './inbound-smtp.ts';
export { ReceiveReportMail } from './receive-report-mail.ts';
export { parseReportMail } from './report-mail.ts';
export { SnsVerifier, RedisReplayGuard, parseSendgridPublicKey, type HttpsFetchOptions } from './verify/index.ts';
export { feedbackApiDoc } from './feedback-api-doc.ts';
