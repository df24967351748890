import { z } from 'zod';

/**
 * The JSON document SNS POSTs to an HTTP/S subscription (AWS SNS docs: "HTTP/HTTPS notification
 * JSON format", "HTTP/HTTPS subscription confirmation JSON format"). Unknown fields are dropped,
 * not refused: AWS adds fields over time.
 */
const common = {
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(1024),
  Message: z.string(),
  Timestamp: z.iso.datetime(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
  SigningCertURL: z.string().min(1).max(2048),
};

const notificationSchema = z.object({
  Type: z.literal('Notification'),
  ...common,
  // SNS omits Subject when the publisher set none; some senders write null. Both mean "absent".
  Subject: z.string().nullish(),
  UnsubscribeURL: z.string().optional(),
});

const confirmationSchema = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  ...common,
  SubscribeURL: z.string().min(1).max(4096),
  Token: z.string().min(1).max(4096),
});

export const snsMessageSchema = z.discriminatedUnion('Type', [notificationSchema, confirmationSchema]);

export type SnsMessage = z.infer<typeof snsMessageSchema>;
export type SnsNotification = z.infer<typeof notificationSchema>;
export type SnsConfirmation = z.infer<typeof confirmationSchema>;

/**
 * The canonical string SNS signs: `Key\nValue\n` for a fixed list of keys in byte order, which
 * differs by message type (AWS SNS docs: "Verifying the signatures of Amazon SNS messages").
 * Any field not listed here is not covered by the signature and must not be trusted on its own.
 */
export function snsStringToSign(message: SnsMessage): string {
  const pairs: [string, string][] =
    message.Type === 'Notification'
      ? [
          ['Message', message.Message],
          ['MessageId', message.MessageId],
          ...(message.Subject == null ? [] : [['Subject', message.Subject] as [string, string]]),
          ['Timestamp', message.Timestamp],
          ['TopicArn', message.TopicArn],
          ['Type', message.Type],
        ]
      : [
          ['Message', message.Message],
          ['MessageId', message.MessageId],
          ['SubscribeURL', message.SubscribeURL],
          ['Timestamp', message.Timestamp],
          ['Token', message.Token],
          ['TopicArn', message.TopicArn],
          ['Type', message.Type],
        ];
  return pairs.map(([key, value]) => `${key}\n${value}\n`).join('');
}
