import type { Processor } from 'bullmq';
import type { Logger } from '../shared/logger.ts';
import type { MessageRepository } from './message-repository.ts';
import { checkpointOfJob, type SendJobData, type SendJobs } from './send-jobs.ts';

export type LegacyMoveResult = 'moved' | 'missing';

/**
 * The upgrade path from the single `send` queue (before streams, #22) to one queue per stream:
 * every send worker serves the old queue with this small processor, which moves each job, when it
 * comes due, to its message's stream queue (the record's stream; a record from before streams is
 * routed as enqueue routes a new one). The moved job keeps its message id as job id (a job already
 * there makes the move a no-op), the attempts it has left and the sent-checkpoint it kept; it has
 * no `created` flag, so the send path reads "final already?" first and nothing is sent twice.
 * If the move fails the job is retried on the old queue with the send backoff.
 */
export function legacySendJobProcessor(deps: { messages: Pick<MessageRepository, 'findForRouting'>; jobs: SendJobs; logger: Logger }): Processor<SendJobData, LegacyMoveResult> {
  return async (job) => {
    const record = await deps.messages.findForRouting(job.data.id);
    if (!record) {
      deps.logger.warn({ event: 'delivery.message_missing', messageId: job.data.id }, 'legacy send job for a message that does not exist; dropped');
      return 'missing';
    }
    await deps.jobs.moveIn(record, { attemptsMade: job.attemptsMade, sent: checkpointOfJob(job) });
    deps.logger.info({ event: 'delivery.legacy_job_moved', messageId: record._id, stream: deps.jobs.streamOf(record) });
    return 'moved';
  };
}
