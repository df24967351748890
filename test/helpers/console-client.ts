import { spawn } from 'node:child_process';

/** What one console request answered: status, HTML, where it redirects, the cookies it set. */
export interface ConsoleAnswer {
  status: number;
  body: string;
  location: string | null;
  setCookies: string[];
}

/** `name=value` pairs of Set-Cookie headers, as a browser would send them back. */
export const cookieHeader = (setCookies: string[]): string => setCookies.map((c) => c.split(';')[0]).join('; ');

/**
 * The console as a form-posting client drives it, from one client IP (X-Forwarded-For: the app
 * must trust loopback proxies) over a TLS proxy (x-forwarded-proto: PUBLIC_URL is https, so the
 * session cookie is Secure). `app` is read at call time.
 */
export function consoleClient(app: () => { url: string | undefined }) {
  const request = async (path: string, ip: string, init: { method?: string; cookie?: string; form?: Record<string, string> } = {}): Promise<ConsoleAnswer> => {
    const headers: Record<string, string> = { 'x-forwarded-proto': 'https', 'x-forwarded-for': ip };
    if (init.cookie) headers.cookie = init.cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${app().url}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
      redirect: 'manual',
    });
    return { status: res.status, body: await res.text(), location: res.headers.get('location'), setCookies: res.headers.getSetCookie() };
  };
  const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  /** The sign-in form as a browser gets it: its cookie and its CSRF field. */
  const openSignIn = async (ip: string): Promise<{ cookie: string; csrf: string; page: ConsoleAnswer }> => {
    const page = await request('/console/login', ip);
    return { cookie: cookieHeader(page.setCookies), csrf: csrfOf(page.body), page };
  };

  /** A sign-in attempt as a browser makes it: GET the form, POST it with the cookie and field it came with. */
  const attempt = async (email: string, password: string, ip: string): Promise<ConsoleAnswer> => {
    const { cookie, csrf } = await openSignIn(ip);
    return request('/console/login', ip, { cookie, form: { csrf, email, password } });
  };

  /** Signs in and answers the session cookie (`name=value`). */
  const signIn = async (email: string, password: string, ip: string): Promise<string> => {
    const res = await attempt(email, password, ip);
    if (res.status !== 303) throw new Error(`sign-in of ${email} answered ${res.status}`);
    const session = res.setCookies.find((c) => c.startsWith('mailgate_console='));
    if (!session) throw new Error('sign-in set no session cookie');
    return session.split(';')[0]!;
  };

  return { request, csrfOf, openSignIn, attempt, signIn };
}

/** `npm run console -- …` against the test's database, the password on stdin. */
export function consoleCli(mongoUrl: string) {
  return (args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/console.ts', ...args], {
        env: { ...process.env, MONGO_URL: mongoUrl, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });
}
