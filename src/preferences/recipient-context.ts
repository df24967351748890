import type { Request } from 'express';
import type { ChangeContext, ConsentSource } from '../subscriptions/index.ts';

/** Who made a recipient's change, as recorded on the consent event. */
export function recipientContext(req: Request, source: ConsentSource, messageId?: string): ChangeContext {
  const userAgent = req.get('user-agent');
  return {
    source,
    ...(req.ip ? { ip: req.ip } : {}),
    ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}),
    ...(messageId ? { messageId } : {}),
  };
}
