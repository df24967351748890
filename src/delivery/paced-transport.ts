import type { StreamPace } from './stream-pace.ts';
import { isThrottlingReply } from './throttling-reply.ts';
import type { MailTransport, OutgoingMail, SendResult } from './transport.ts';

/**
 * A stream's relay with its pace around it: before each send the stream's windows and back-off are
 * checked (StreamPace.acquire), and a throttling reply puts the whole stream on a back-off. Both
 * surface as StreamPaused, which the send use case passes through untouched and the send worker
 * turns into a queue-wide pause that spends no attempt (send-worker.ts).
 */
export class PacedTransport implements MailTransport {
  constructor(
    private readonly relay: MailTransport,
    private readonly pace: StreamPace,
  ) {}

  async send(mail: OutgoingMail): Promise<SendResult> {
    const counted = await this.pace.acquire();
    try {
      return await this.relay.send(mail);
    } catch (err) {
      if (!isThrottlingReply(err)) throw err;
      await this.pace.giveBack(counted);
      throw await this.pace.throttled(err);
    }
  }

  close(): Promise<void> {
    return this.relay.close();
  }
}
