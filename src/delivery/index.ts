// The delivery domain: the send use case the worker runs, and the transport behind it.
// Built by the composition root (src/app.ts); other folders import only from this file.
export type { MailTransport, OutgoingMail, Relay, SendResult } from './transport.ts';
export { MessageSender, TransientSendError, type SendAttempt, type SendDeps, type SendOutcome } from './send-message.ts';
export { sendJobProcessor, sendWorkerOptions, watchSendWorker } from './send-worker.ts';
export { createNodemailerTransport, type NodemailerTransport } from './nodemailer-transport.ts';
export { FailoverTransport, type FailoverDeps } from './failover-transport.ts';
export { RedisRelayState, type RelayState } from './relay-state.ts';
export { createRelayMetrics, type RelayMetrics } from './relay-metrics.ts';
export { relayTroubleOf, type RelayTrouble } from './relay-trouble.ts';
