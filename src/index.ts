// The package entry point for application code: `import { createClient } from 'mailgate'`.
export { createClient, MailgateError, type ClientOptions, type MailgateClient, type SendOptions } from './client/index.ts';
export {
  MAX_BATCH,
  MESSAGE_STATUSES,
  messageInputSchema,
  parseMessageInput,
  type MessageInput,
  type MessageStatus,
  batchResultSchema,
  enqueueResultSchema,
  messageViewSchema,
  type BatchItemResult,
  type BatchResult,
  type EnqueueResult,
  type MessageFeedbackView,
  type MessageView,
  apiErrorSchema,
  type ApiError,
} from './contract/index.ts';
export { MESSAGE_KINDS, type MessageKind } from './shared/message-kinds.ts';
export { LOCALES, type Locale } from './shared/locale.ts';
