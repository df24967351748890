import { readFileSync } from 'node:fs';
import type { StreamConfig } from '../config.ts';

/** DKIM_PRIVATE_KEY is PEM text (literal `\n` allowed, as env files write it) or a path to a PEM file. */
export function readDkimKey(value: string): string {
  const text = value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : readFileSync(value, 'utf8');
  if (!text.includes('PRIVATE KEY-----')) throw new Error('DKIM_PRIVATE_KEY: not a PEM private key (text or file path)');
  return text;
}

/** The domain of our Message-IDs: the stream's DKIM domain, else its From's domain. */
export function messageIdDomain(config: Pick<StreamConfig, 'dkim' | 'mailFrom'>): string {
  if (config.dkim) return config.dkim.domain;
  const match = /@([^>\s]+)>?\s*$/.exec(config.mailFrom);
  return match?.[1]?.toLowerCase() ?? 'localhost';
}

/**
 * Header fields the DKIM signature covers: RFC 6376's recommended set plus both RFC 8058 list
 * headers, which mailbox providers require signed before they offer one-click unsubscribe.
 */
export const DKIM_HEADER_FIELDS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'In-Reply-To', 'References', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post',
].join(':');
