import type { ProviderGroup } from '../shared/deliverability.ts';

const EXACT: Record<string, ProviderGroup> = {
  'gmail.com': 'gmail',
  'googlemail.com': 'gmail',
  'msn.com': 'microsoft',
  'ymail.com': 'yahoo',
  'icloud.com': 'apple',
  'me.com': 'apple',
  'mac.com': 'apple',
};

// Microsoft and Yahoo/AOL run the same mailboxes under many country domains (outlook.de,
// hotmail.co.uk, yahoo.co.jp, aol.fr): the first label names the provider.
const BY_FIRST_LABEL: Record<string, ProviderGroup> = {
  outlook: 'microsoft',
  hotmail: 'microsoft',
  live: 'microsoft',
  yahoo: 'yahoo',
  aol: 'yahoo',
};

/** The recipient's provider group, by the domain of the address (lower-cased already, or not). */
export function providerGroupOf(address: string): ProviderGroup {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const exact = EXACT[domain];
  if (exact) return exact;
  const first = domain.split('.')[0] ?? '';
  return (domain.includes('.') ? BY_FIRST_LABEL[first] : undefined) ?? 'other';
}

/** The domain of a From header value (`News <news@news.example>` or `news@news.example`), lower-cased. */
export function sendingDomainOf(from: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(from);
  const address = (angle?.[1] ?? from).trim();
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  // Keeps a counter field readable and bounded whatever a caller wrote.
  return domain.replace(/[^a-z0-9.-]/g, '').slice(0, 253) || 'unknown';
}
