/** What a browser-less client sees of one page: status, HTML and headers. */
export interface Page {
  status: number;
  text: string;
  headers: Headers;
}

/**
 * The recipient pages as a form-posting client drives them (no redirects followed, forms sent
 * urlencoded). `app` is read at call time, so the helpers can be made before the app starts.
 */
export function pageClient(app: () => { url: string | undefined }) {
  const request = async (path: string, init: RequestInit = {}): Promise<Page> => {
    const res = await fetch(`${app().url}${path}`, { redirect: 'manual', ...init });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const form = (fields: Record<string, string | string[]>): string => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
    return body.toString();
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return { request, form, post, csrfOf };
}
