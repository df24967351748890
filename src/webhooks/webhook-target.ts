import { lookup as dnsLookup } from 'node:dns';
import { promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { unprocessable } from '../shared/errors.ts';

/** Loopback, link-local, private, shared, multicast and reserved ranges: never a webhook target unless allowed (SSRF). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** True for an address no webhook may reach by default; an IPv4-mapped IPv6 address is judged as its IPv4. */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  const family = isIP(bare);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  return PRIVATE.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

export interface TargetRules {
  /** NODE_ENV=production: https only. */
  httpsOnly: boolean;
  allowPrivate: boolean;
}

const refuse = (message: string) => unprocessable('invalid_webhook_url', `url: ${message}`, { field: 'url' });

/**
 * Checks an endpoint URL at creation: http(s) (https only in production), no credentials, and a
 * host that is not (and does not resolve to) a private address. The same check runs again on the
 * resolved address of every attempt (`guardedLookup`), so a DNS answer changed later cannot bypass it.
 */
export async function checkWebhookUrl(raw: string, rules: TargetRules): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && (rules.httpsOnly || url.protocol !== 'http:')) throw refuse(rules.httpsOnly ? 'must be an https URL' : 'must be an http or https URL');
  if (url.username || url.password) throw refuse('must not carry credentials');
  if (rules.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    if (isPrivateAddress(host)) throw refuse('points to a loopback, link-local or private address');
    return url;
  }
  let addresses: { address: string }[];
  try {
    addresses = await dns.lookup(host, { all: true });
  } catch {
    throw refuse(`host ${host} does not resolve`);
  }
  if (addresses.some((a) => isPrivateAddress(a.address))) throw refuse('resolves to a loopback, link-local or private address');
  return url;
}

/** A socket `lookup` that refuses private addresses: the check is made on what the connection will really use. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses;
      const blocked = !allowPrivate && list.some((a) => isPrivateAddress(a.address));
      if (blocked || list.length === 0) {
        const refusal = Object.assign(new Error(`webhook target ${hostname} resolves to a private address`), { code: 'EWEBHOOKPRIVATE' });
        return callback(refusal, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
