/** The queues a worker process can serve. */
export const WORKER_QUEUES = ['send', 'import', 'feedback', 'webhooks'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

/** What one process runs: the HTTP API (and recipient pages), the workers, or both. */
export interface Roles {
  api: boolean;
  worker: boolean;
  /** With `worker`: which queues this process works on (default: all of them). */
  queues?: readonly WorkerQueue[];
  /** The inbound SMTP listener for bounce and complaint mail (when FEEDBACK_SMTP_PORT is set). */
  feedbackSmtp?: boolean;
}
