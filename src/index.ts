// The package entry point for application code: `import { createClient } from 'mailgate'`.
export { createClient, MailgateError, type ClientOptions, type MailgateClient, type SendOptions } from './client/index.ts';
export {
  MAX_BATCH,
  MESSAGE_STATUSES,
  messageInputSchema,
  parseMessageInput,
  type MessageInput,
  type MessageStatus,
} from './contract/message-input.ts';
export { batchResultSchema, enqueueResultSchema, messageViewSchema, type BatchItemResult, type BatchResult, type EnqueueResult, type MessageFeedbackView, type MessageView } from './contract/message-views.ts';
export { apiErrorSchema, type ApiError } from './contract/api-error.ts';
export { MESSAGE_KINDS, type MessageKind } from './shared/message-kinds.ts';
export { LOCALES, type Locale } from './shared/locale.ts';
