import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { eventually } from './processes.ts';

/** One POST as the receiving app got it. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> & { address: string } };
}

/** What to answer: a status code, or 'hang' (never answer). */
export type Answer = number | 'hang';

/**
 * A real HTTP server on a spare port standing in for the application's webhook endpoint. It keeps
 * every request and answers as `answer` says (200 by default).
 */
export async function startWebhookReceiver(answer: (hook: ReceivedHook, index: number) => Answer = () => 200) {
  const received: ReceivedHook[] = [];
  const hanging = new Set<ServerResponse>();
  let decide = answer;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const hook: ReceivedHook = { headers: req.headers, raw, body: JSON.parse(raw) as ReceivedHook['body'] };
      received.push(hook);
      const reply = decide(hook, received.length - 1);
      if (reply === 'hang') hanging.add(res);
      else res.writeHead(reply, { 'content-type': 'text/plain' }).end(reply < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const about = (address: string) => received.filter((h) => h.body.data.address === address);
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    about,
    answerWith(next: (hook: ReceivedHook, index: number) => Answer) {
      decide = next;
    },
    /** Waits until `count` requests about `address` have arrived. */
    waitFor: (address: string, count: number, timeoutMs?: number) => eventually(() => (about(address).length >= count ? about(address) : undefined), timeoutMs),
    /** Verifies as a receiving app does (throws if the signature does not match). */
    verify: (hook: ReceivedHook, secret: string) => new Webhook(secret).verify(hook.raw, hook.headers as Record<string, string>),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
