export { refuse, type VerifyRefusal, type VerifyRefusalStatus } from './verify-result.ts';
export { HttpsFetchError, type HttpsFetchFailure, type HttpsFetchOptions } from './https-get.ts';
export { snsMessageSchema, snsStringToSign, type SnsConfirmation, type SnsMessage, type SnsNotification } from './sns-message.ts';
export { parseSnsUrl, type SnsUrlPurpose } from './sns-url.ts';
export { DEFAULT_SNS_MAX_AGE_MS, SnsVerifier, type SnsVerifierDeps, type SnsVerifyResult } from './sns-signature.ts';
export { confirmSubscription, type ConfirmSubscriptionResult } from './sns-subscription.ts';
export {
  DEFAULT_SENDGRID_MAX_AGE_MS,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  parseSendgridPublicKey,
  verifySendgrid,
  type SendgridVerifyInput,
  type SendgridVerifyResult,
} from './sendgrid-signature.ts';
export {
  DEFAULT_MAILGUN_MAX_AGE_MS,
  checkMailgunSignature,
  verifyMailgun,
  type MailgunSignatureInput,
  type MailgunVerifyInput,
  type MailgunVerifyResult,
} from './mailgun-signature.ts';
export { RedisReplayGuard, type RedisReplayGuardDeps, type TokenReplayGuard } from './token-replay-guard.ts';
export { verifyBasicAuth, type BasicAuthRefusal, type BasicAuthResult } from './basic-auth.ts';
