// The package entry point for application code: `import { createClient } from 'mailgate'`.
export { createClient, MailgateError, type ClientOptions, type MailgateClient, type SendOptions } from './client/index.ts';
export {
  MAX_BATCH,
  MESSAGE_STATUSES,
  messageInputSchema,
  parseMessageInput,
  type BatchItemResult,
  type BatchResult,
  type EnqueueResult,
  type MessageInput,
  type MessageStatus,
  type MessageView,
} from './messages/message-input.ts';
export { MESSAGE_KINDS, type MessageKind } from './subscriptions/types.ts';
export { LOCALES, type Locale } from './templates/types.ts';
