import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Config, StreamConfig } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { messageIdHeaderOf, verpAddressOf, type MessageTags } from '../shared/message-tag.ts';
import { DKIM_HEADER_FIELDS, messageIdDomain, readDkimKey } from './dkim-key.ts';
import type { MailTransport, OutgoingMail, SendResult } from './transport.ts';

/** One relay and the identity mail leaves it with: a stream's (config-streams.ts), or a bare one. */
export type TransportConfig = Pick<Config, 'env' | 'emlDir'> & Pick<StreamConfig, 'smtpUrl' | 'smtpPoolSize' | 'dkim' | 'mailFrom'> & { bounceDomain?: string | undefined };

interface Mailer {
  sendMail(mail: Record<string, unknown>): Promise<{ messageId: string; response?: unknown; message?: unknown }>;
  verify(): Promise<true>;
  close(): void;
}

/** The nodemailer transport, which can also tell whether its relay answers. */
export interface NodemailerTransport extends MailTransport {
  /**
   * Opens a separate connection: greeting, EHLO, STARTTLS and AUTH as configured, then QUIT.
   * Resolves true, or rejects with nodemailer's error. Always true for the .eml outbox.
   */
  verify(): Promise<boolean>;
}

/** A relay's URL as outcomes, logs and the console name it: scheme, host and port, never credentials or options. */
export function relayOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/**
 * nodemailer behind MailTransport, built once per stream and worker process: an SMTP pool of
 * SMTP_POOL_SIZE connections, or (development, no SMTP_URL) .eml files in EML_DIR. DKIM-signs when
 * configured. Each result names the relay that took the message (`relayOf`). With a bounce domain
 * the envelope sender is `bounces+<id>.<tag>@<bounce domain>` (VERP), so every bounce names its message; the Message-ID `<id.tag@domain>` carries the same keyed tag, so a
 * complaint that returns our headers proves which message it is about (shared/message-tag.ts).
 */
export function createNodemailerTransport(config: TransportConfig, logger: Logger, tags: MessageTags): NodemailerTransport {
  const dkim = config.dkim
    ? { domainName: config.dkim.domain, keySelector: config.dkim.selector, privateKey: readDkimKey(config.dkim.privateKey), headerFieldNames: DKIM_HEADER_FIELDS }
    : undefined;
  const domain = messageIdDomain(config);
  let mailer: Mailer;
  let emlDir: string | undefined;
  if (config.smtpUrl) {
    mailer = createTransport({
      url: config.smtpUrl,
      pool: true,
      maxConnections: config.smtpPoolSize,
      maxMessages: Infinity,
      ...(dkim ? { dkim } : {}),
    }) as unknown as Mailer;
  } else {
    if (config.env === 'production') throw new Error('SMTP_URL is required in production');
    emlDir = resolve(config.emlDir);
    mailer = createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...(dkim ? { dkim } : {}) }) as unknown as Mailer;
    logger.info({ event: 'delivery.eml_outbox', dir: emlDir }, `no SMTP_URL: writing messages as .eml files to ${emlDir}`);
  }
  let dirReady: Promise<unknown> | undefined;
  const bounceDomain = config.bounceDomain;
  const relay = config.smtpUrl === undefined ? undefined : relayOf(config.smtpUrl);

  return {
    async send(mail: OutgoingMail): Promise<SendResult> {
      const tag = tags.tag(mail.id);
      const messageId = messageIdHeaderOf(mail.id, tag, domain);
      const info = await mailer.sendMail({
        from: mail.from,
        to: mail.to,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: mail.headers,
        messageId,
        ...(bounceDomain ? { envelope: { from: verpAddressOf(mail.id, tag, bounceDomain), to: mail.to } } : {}),
      });
      if (emlDir === undefined) return { messageId, response: String(info.response ?? ''), ...(relay ? { relay } : {}) };
      const file = join(emlDir, `${mail.id}.eml`);
      dirReady ??= mkdir(emlDir, { recursive: true });
      await dirReady;
      await writeFile(file, info.message as Buffer);
      logger.debug({ event: 'delivery.eml_written', file });
      return { messageId, response: `written to ${file}` };
    },
    async verify() {
      return emlDir === undefined ? mailer.verify() : true;
    },
    async close() {
      mailer.close();
    },
  };
}
