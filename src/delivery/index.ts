// The delivery domain: the send use case the worker runs, and the transport behind it.
// Built by the composition root (src/app.ts); other folders import only from this file.
export type { MailTransport, OutgoingMail, SendResult } from './transport.ts';
export { MessageSender, TransientSendError, type MarketingHold, type SendAttempt, type SendDeps, type SendOutcome } from './send-message.ts';
export { sendJobProcessor, sendWorkerOptions, watchSendWorker, type SendStream } from './send-worker.ts';
export { createNodemailerTransport, relayOf, type NodemailerTransport, type TransportConfig } from './nodemailer-transport.ts';
export { PacedTransport } from './paced-transport.ts';
export { StreamPace, StreamPaused, PACE_RECHECK_MS, THROTTLE_BASE_MS, THROTTLE_MAX_MS, UNLIMITED_PER_SECOND, countedWindowsOf, queueLimiterOf, type PaceStatus, type PaceWindow } from './stream-pace.ts';
export { isThrottlingReply } from './throttling-reply.ts';
export { createStreamMetrics, type StreamMetrics } from './stream-metrics.ts';
export { FailoverTransport, type FailoverDeps } from './failover-transport.ts';
export { RedisRelayState, type RelayState } from './relay-state.ts';
export { createRelayMetrics, type RelayMetrics } from './relay-metrics.ts';
export { relayTroubleOf, type RelayTrouble } from './relay-trouble.ts';
export { MessageHeld } from './message-held.ts';
export { FrequencyCap, createFrequencyCapMetric, type CapVerdict, type CappedMessage } from './frequency-cap.ts';
