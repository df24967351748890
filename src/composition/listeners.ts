import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Listenable {
  listen(port: number, host: string, callback: () => void): Server;
}

/** The HTTP servers a process opened (API, METRICS_PORT); closed first, before the workers. */
export class Listeners {
  private readonly servers: Server[] = [];

  /** Listens and answers the port actually bound (0 asks for a free one). */
  listen(handler: Listenable, port: number, host: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const server = handler.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      server.once('error', reject);
      this.servers.push(server);
    });
  }

  async close(): Promise<void> {
    for (const s of this.servers.splice(0)) {
      await new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections();
    }
  }
}
