/**
 * RFC 8058: a one-click unsubscribe POST carries exactly `List-Unsubscribe=One-Click`, either
 * application/x-www-form-urlencoded or multipart/form-data. Anything else is refused, so a
 * stray or crafted POST never unsubscribes anyone.
 */
export const ONE_CLICK_FIELD = 'List-Unsubscribe';
export const ONE_CLICK_VALUE = 'One-Click';

export type OneClickBody = 'one_click' | 'invalid';

/** Fields of an already-parsed urlencoded body (express.urlencoded with extended: false). */
export function checkUrlencoded(body: unknown): OneClickBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'invalid';
  const entries = Object.entries(body);
  return entries.length === 1 && entries[0]![0] === ONE_CLICK_FIELD && entries[0]![1] === ONE_CLICK_VALUE ? 'one_click' : 'invalid';
}

/** The boundary parameter of a multipart/form-data content type (RFC 2046 §5.1.1), or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  return boundary && /^[0-9A-Za-z'()+_,\-./:=? ]+$/.test(boundary) && !boundary.endsWith(' ') ? boundary : undefined;
}

/** Minimal multipart/form-data reader for a small body: plain fields only, no files. */
export function parseMultipartFields(body: Buffer, boundary: string): Map<string, string[]> | undefined {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const segments = text.split(delimiter);
  // segments[0] is the preamble; the last delimiter is followed by "--" (close-delimiter)
  if (segments.length < 3) return undefined;
  const last = segments[segments.length - 1]!;
  if (!last.startsWith('--')) return undefined;
  const fields = new Map<string, string[]>();
  for (const segment of segments.slice(1, -1)) {
    if (!segment.startsWith('\r\n') || !segment.endsWith('\r\n')) return undefined;
    const part = segment.slice(2, -2);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return undefined;
    const headers = part.slice(0, split).split('\r\n');
    const value = part.slice(split + 4);
    let name: string | undefined;
    for (const header of headers) {
      const colon = header.indexOf(':');
      if (colon < 0) return undefined;
      const key = header.slice(0, colon).trim().toLowerCase();
      const headerValue = header.slice(colon + 1).trim();
      if (key === 'content-disposition') {
        if (!/^form-data\s*;/i.test(headerValue) || /;\s*filename\*?=/i.test(headerValue)) return undefined;
        name = /;\s*name="([^"]*)"/i.exec(headerValue)?.[1] ?? /;\s*name=([^\s;"]+)/i.exec(headerValue)?.[1];
      } else if (key === 'content-type') {
        if (!/^text\/plain\b/i.test(headerValue)) return undefined;
      }
    }
    if (name === undefined) return undefined;
    fields.set(name, [...(fields.get(name) ?? []), Buffer.from(value, 'latin1').toString('utf8')]);
  }
  return fields;
}

export function checkMultipart(body: unknown, contentType: string | undefined): OneClickBody {
  const boundary = multipartBoundary(contentType);
  if (!boundary || !Buffer.isBuffer(body)) return 'invalid';
  const fields = parseMultipartFields(body, boundary);
  if (!fields || fields.size !== 1) return 'invalid';
  const values = fields.get(ONE_CLICK_FIELD);
  return values?.length === 1 && values[0] === ONE_CLICK_VALUE ? 'one_click' : 'invalid';
}
