export { createClient, type ClientOptions, type MailgateClient, type SendOptions } from './create-client.ts';
export { MailgateError } from './mailgate-error.ts';
