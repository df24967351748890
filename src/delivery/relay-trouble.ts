/**
 * What a transport error says about the relay, for failover (failover-transport.ts):
 * - `refused`: the relay would not take a session — the connection was refused, the name did not
 *   resolve, TLS failed, the greeting or EHLO was not 2xx, or nodemailer's pool gave up on
 *   connections closed before the greeting. The message provably never left.
 * - `timeout`: no connection or no greeting within the timeout. The message never left either.
 * - `dropped`: the session broke after it was set up (reset, socket timeout, closed). The message
 *   may have been taken (a timeout waiting for the reply to DATA), so it is never sent elsewhere.
 * - undefined: anything else, above all a reply to MAIL, RCPT or DATA (policy refusals, bad
 *   recipients, throttling), which is the relay answering and never a reason to switch.
 *
 * nodemailer marks socket trouble `command: 'CONN'` whatever the stage (a reset after DATA too),
 * so `code` and `command` alone cannot tell a refused connection from a lost message. What can:
 * the system error code kept in `originalCode` (ECONNREFUSED happens only at connect), the
 * `timeoutType` of a timeout (CONNECT_TIMEOUT and GREETING_TIMEOUT run only before the session),
 * and the command of a refused session (the greeting, EHLO, HELO, LHLO). Checked against real
 * servers in test/integration/relay-failover.test.ts.
 */
export type RelayTrouble = 'refused' | 'timeout' | 'dropped';

interface NodemailerErrorLike {
  code?: unknown;
  originalCode?: unknown;
  command?: unknown;
  timeoutType?: unknown;
  responseCode?: unknown;
  message?: unknown;
}

const SESSION_COMMANDS = new Set(['EHLO', 'HELO', 'LHLO', 'STARTTLS']);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT']);
const SOCKET_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);

export function relayTroubleOf(err: unknown): RelayTrouble | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as NodemailerErrorLike;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : undefined;

  if (code === 'EDNS' || code === 'ETLS') return 'refused';
  if (e.originalCode === 'ECONNREFUSED') return 'refused';
  if (command !== undefined && SESSION_COMMANDS.has(command)) return 'refused';
  // A greeting other than 220 (e.g. "421 too busy"); the only EPROTOCOL error that carries a reply
  // and the CONN command before a session exists.
  if (code === 'EPROTOCOL' && command === 'CONN' && typeof e.message === 'string' && e.message.startsWith('Invalid greeting')) return 'refused';
  // The pool requeues a message only when not a byte of it was sent, and says this when it stops.
  if (code === 'ECONNECTION' && command === undefined) return 'refused';

  if (code === 'ETIMEDOUT' && typeof e.timeoutType === 'string' && SETUP_TIMEOUTS.has(e.timeoutType)) return 'timeout';
  if (code !== undefined && SOCKET_CODES.has(code) && command === 'CONN' && e.responseCode === undefined) return 'dropped';
  return undefined;
}
