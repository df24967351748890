/** Queue names; the BullMQ key prefix (QUEUE_PREFIX) keeps deployments and test runs apart. */
export const SEND_QUEUE = 'send';
export const IMPORT_QUEUE = 'import';
export const FEEDBACK_QUEUE = 'feedback';
