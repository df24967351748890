import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { onLines } from './raw-smtp.ts';

/** A TCP server on a spare port that plays a relay in trouble. */
export interface BrokenRelay {
  url: string;
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Messages whose DATA ended with the final dot (that the relay may have taken). */
  readonly dataEnded: number;
  close(): Promise<void>;
}

async function serve(onConnection: (socket: Socket, relay: { dataEnded: number }) => void): Promise<BrokenRelay> {
  const sockets = new Set<Socket>();
  const counts = { connections: 0, dataEnded: 0 };
  const server: Server = createServer((socket) => {
    counts.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket, counts);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    get connections() {
      return counts.connections;
    },
    get dataEnded() {
      return counts.dataEnded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts connections and never says a word (a hung relay): the client's greeting timeout fires. */
export const startSilentRelay = (): Promise<BrokenRelay> => serve(() => undefined);

/** Closes every connection as soon as it is accepted, before any greeting. */
export const startHangingUpRelay = (): Promise<BrokenRelay> => serve((socket) => socket.destroy());

/** Answers every connection with `greeting` (e.g. "421 4.3.2 Too busy") and closes it. */
export const startGreetingRefuser = (greeting: string): Promise<BrokenRelay> => serve((socket) => socket.end(`${greeting}\r\n`));

/**
 * Greets, takes the envelope and the message, and never answers the final dot: the client's
 * socket timeout fires while the relay holds the whole message (it may have queued it).
 */
export const startRelaySilentAfterData = (): Promise<BrokenRelay> =>
  serve((socket, counts) => {
    socket.write('220 relay.test ESMTP\r\n');
    let inData = false;
    onLines(socket, (line) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          counts.dataEnded += 1;
        }
      } else if (/^EHLO /i.test(line)) socket.write('250-relay.test\r\n250 8BITMIME\r\n');
      else if (/^DATA$/i.test(line)) {
        inData = true;
        socket.write('354 Go ahead\r\n');
      } else if (/^QUIT$/i.test(line)) socket.end('221 Bye\r\n');
      else socket.write('250 OK\r\n');
    });
  });
