import { connect, type Socket } from 'node:net';

/** Calls `onLine` with every CRLF-terminated line the socket receives, in order (latin1: bytes as characters). */
export function onLines(socket: Socket, onLine: (line: string) => void): void {
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\r\n')) !== -1) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      onLine(line);
    }
  });
}

/**
 * A bare SMTP client on a socket, for what nodemailer will not do: hold connections open, stream
 * a DATA of any size with backpressure, and read the server's replies as they come.
 */
export interface RawSmtp {
  socket: Socket;
  /** The next complete reply (the last line of a multi-line one), e.g. "250 OK". */
  reply(): Promise<string>;
  /** Sends one command line and returns the reply. */
  command(line: string): Promise<string>;
  /** Writes raw bytes, waiting for the socket to drain when it asks to. */
  write(chunk: Buffer | string): Promise<void>;
  close(): void;
}

export async function rawSmtp(port: number, host = '127.0.0.1'): Promise<RawSmtp> {
  const socket = connect(port, host);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const complete: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let ended = false;
  const settle = () => {
    while (complete.length > 0 && waiting.length > 0) waiting.shift()!(complete.shift()!);
    if (ended) while (waiting.length > 0) waiting.shift()!('(closed)');
  };
  onLines(socket, (line) => {
    if (line[3] !== '-') complete.push(line); // "250-…" continues, "250 …" ends a reply
    settle();
  });
  socket.on('close', () => {
    ended = true;
    settle();
  });
  socket.on('error', () => undefined); // a refused or reset connection shows as '(closed)'
  const reply = () => new Promise<string>((resolve) => {
    waiting.push(resolve);
    settle();
  });
  const write = (chunk: Buffer | string) =>
    new Promise<void>((resolve, reject) => {
      if (socket.destroyed) return reject(new Error('socket closed'));
      if (socket.write(chunk)) resolve();
      else socket.once('drain', resolve);
    });
  return {
    socket,
    reply,
    async command(line: string) {
      await write(`${line}\r\n`);
      return reply();
    },
    write,
    close: () => socket.destroy(),
  };
}
