import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPrivateAddress } from './webhook-target.ts';

/** How one POST ended: an HTTP status (any), or no answer (timeout, connection refused, a private target). */
export type PostResult = { status: number } | { error: string };

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** Enough of a receiver's answer to show an operator; the rest is not read. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * POSTs one webhook: no redirects followed (a 3xx is just a non-2xx answer), no agent reuse (one
 * slow receiver holds no shared socket), the whole exchange bounded by `timeoutMs`, the target
 * address checked after DNS resolution (and, for an IP literal, before connecting).
 */
export function postWebhook(target: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) return Promise.resolve({ error: 'private_address' });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(options.allowPrivate),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'mailgate-webhooks' },
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= MAX_RESPONSE_BYTES) finish({ status: res.statusCode ?? 0 });
        });
        res.on('end', () => finish({ status: res.statusCode ?? 0 }));
        res.on('error', () => finish({ status: res.statusCode ?? 0 }));
      },
    );
    const timer = setTimeout(() => finish({ error: 'timeout' }), options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code === 'EWEBHOOKPRIVATE' ? 'private_address' : `connection: ${err.code ?? err.message}` }));
    req.end(body);
  });
}
