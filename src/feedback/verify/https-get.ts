import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';

/**
 * How outgoing HTTPS fetches reach their host. Both are ordinary operator settings (split-horizon
 * DNS, a TLS-inspecting proxy's CA); neither weakens verification: the hostname is still checked
 * against the certificate and the chain must still end in a trusted root.
 */
export interface HttpsFetchOptions {
  /** Resolves hostnames instead of the system resolver. */
  lookup?: LookupFunction;
  /** Extra trusted CA certificate(s), PEM, trusted in addition to Node's bundled roots. */
  ca?: string;
  /** Whole-request deadline. */
  timeoutMs?: number;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 5_000;

/**
 * Why a fetch failed: `untrusted` (TLS could not prove the host), `bad_response` (the host
 * answered, but not with what we asked for), `unavailable` (network trouble: worth a retry).
 */
export type HttpsFetchFailure = 'untrusted' | 'bad_response' | 'unavailable';

export class HttpsFetchError extends Error {
  readonly kind: HttpsFetchFailure;

  constructor(kind: HttpsFetchFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpsFetchError';
    this.kind = kind;
  }
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function classify(error: unknown): HttpsFetchError {
  if (error instanceof HttpsFetchError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  // Everything that is not plain network trouble is a TLS or protocol failure: the host was not proven.
  const kind = NETWORK_ERRORS.has(code) ? 'unavailable' : 'untrusted';
  const message = error instanceof Error ? error.message : String(error);
  return new HttpsFetchError(kind, code === '' ? message : `${code}: ${message}`, { cause: error });
}

/**
 * GET `url` and return the body as UTF-8 text. Only status 200 counts (no redirects are followed,
 * so a response cannot send us to another host), and the body is capped at `maxBytes`.
 */
export function httpsGetText(url: URL, maxBytes: number, options: HttpsFetchOptions = {}): Promise<string> {
  if (url.protocol !== 'https:') return Promise.reject(new HttpsFetchError('untrusted', 'only https URLs are fetched'));
  const requestOptions: https.RequestOptions = { agent: false, headers: { accept: '*/*' } };
  if (options.lookup !== undefined) requestOptions.lookup = options.lookup;
  if (options.ca !== undefined) requestOptions.ca = [...rootCertificates, options.ca];

  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (error: HttpsFetchError | undefined, body?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) resolve(body ?? '');
      else {
        request.destroy();
        reject(error);
      }
    };

    const request = https.get(url, requestOptions, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        finish(new HttpsFetchError('bad_response', `status ${String(response.statusCode)}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish(new HttpsFetchError('bad_response', `body larger than ${String(maxBytes)} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => finish(undefined, Buffer.concat(chunks).toString('utf8')));
      response.on('error', (error) => finish(classify(error)));
    });
    request.on('error', (error) => finish(classify(error)));
    const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    const timer = setTimeout(() => finish(new HttpsFetchError('unavailable', `no answer within ${String(timeoutMs)} ms`)), timeoutMs);
  });
}
