import busboy from 'busboy';
import express, { type RequestHandler } from 'express';
import { pageError } from './page-errors.ts';

/**
 * RFC 8058: a one-click unsubscribe POST carries exactly `List-Unsubscribe=One-Click`, either
 * application/x-www-form-urlencoded or multipart/form-data. Anything else is refused, so a
 * stray or crafted POST never unsubscribes anyone.
 */
export const ONE_CLICK_FIELD = 'List-Unsubscribe';
export const ONE_CLICK_VALUE = 'One-Click';

export type OneClickBody = 'one_click' | 'invalid';

const BODY_LIMIT = '16kb';

/** Fields of an already-parsed urlencoded body (express.urlencoded with extended: false). */
export function checkUrlencoded(body: unknown): OneClickBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'invalid';
  const entries = Object.entries(body);
  return entries.length === 1 && entries[0]![0] === ONE_CLICK_FIELD && entries[0]![1] === ONE_CLICK_VALUE ? 'one_click' : 'invalid';
}

/**
 * A buffered multipart/form-data body, read by busboy: one plain-text field and nothing else.
 * A file part, a second part of any kind, a non-text/plain part, a wrong value or a body busboy
 * cannot finish reading are all 'invalid'.
 */
export function checkMultipart(body: unknown, contentType: string | undefined): Promise<OneClickBody> {
  if (!Buffer.isBuffer(body) || !contentType) return Promise.resolve('invalid');
  let parser: busboy.Busboy;
  try {
    // busboy skips parts it cannot name (no or non-form-data disposition) without a word, so a
    // second part is only seen by counting: 'partsLimit' fires once a second part has been read.
    parser = busboy({ headers: { 'content-type': contentType }, limits: { parts: 2 } });
  } catch {
    return Promise.resolve('invalid'); // not multipart/form-data, or no boundary
  }
  return new Promise((resolve) => {
    const fields: { name: string | undefined; value: string; mimeType: string }[] = [];
    let refused = false;
    let settled = false;
    const settle = (verdict: OneClickBody) => {
      if (settled) return;
      settled = true;
      resolve(verdict);
    };
    parser.on('field', (name: string | undefined, value, info) => fields.push({ name, value, mimeType: info.mimeType }));
    parser.on('file', (_name, stream) => {
      refused = true;
      stream.resume();
    });
    parser.on('partsLimit', () => {
      refused = true;
    });
    parser.on('error', () => settle('invalid'));
    parser.on('close', () => {
      const [field] = fields;
      const ok = !refused && fields.length === 1 && field?.name === ONE_CLICK_FIELD && field.value === ONE_CLICK_VALUE && field.mimeType === 'text/plain';
      settle(ok ? 'one_click' : 'invalid');
    });
    parser.end(body);
  });
}

/**
 * The body parsers of the one-click POST. Multipart is buffered by express.raw (same size limit,
 * content-encoding and 413 as every other form) and read by busboy in `requireOneClick`.
 */
export const oneClickParsers = (): RequestHandler[] => [
  express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 10 }),
  express.raw({ type: 'multipart/form-data', limit: BODY_LIMIT }),
];

/** Lets the one-click POST through only with the RFC 8058 body: 415 for another media type, else 400. */
export const requireOneClick: RequestHandler = async (req, _res, next) => {
  let body: OneClickBody;
  if (req.is('application/x-www-form-urlencoded')) body = checkUrlencoded(req.body);
  else if (req.is('multipart/form-data')) body = await checkMultipart(req.body, req.get('content-type'));
  else if (req.get('content-type')) throw pageError('unsupported_media_type', 'Post List-Unsubscribe=One-Click as a form');
  else body = 'invalid';
  if (body !== 'one_click') throw pageError('invalid_form', 'The body must be exactly List-Unsubscribe=One-Click');
  next();
};
