// Providers that ignore dots in the local part: `v.ictim@gmail.com` is `victim@gmail.com`.
const DOTLESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address reaches, for limits that protect a mailbox (docs/rules.md §11): lower-cased,
 * the `+tag` dropped (every domain), dots in the local part dropped where the provider ignores them,
 * googlemail.com read as gmail.com. Only a limit's key: the address itself is stored and mailed as
 * written. Expects a normalized address (src/addresses/normalize.ts).
 */
export function mailboxKey(address: string): string {
  const at = address.lastIndexOf('@');
  let local = address.slice(0, at).toLowerCase();
  let domain = address.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (DOTLESS_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}
