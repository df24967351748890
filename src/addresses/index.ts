export { normalizeAddress, tryNormalizeAddress, type NormalizeResult } from './normalize.ts';
export { mailboxKey } from './mailbox-key.ts';
