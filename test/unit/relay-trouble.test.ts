import { describe, expect, it } from 'vitest';
import { relayTroubleOf } from '../../src/delivery/index.ts';

// The fields of errors nodemailer 10 raised against real servers (test/integration/relay-failover.test.ts
// sees the first ones happen); the others as nodemailer's smtp-connection builds them.
describe('relayTroubleOf', () => {
  it.each([
    ['a refused connection', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN', message: 'connect ECONNREFUSED 127.0.0.1:2525' }],
    ['a 421 greeting', { code: 'EPROTOCOL', command: 'CONN', responseCode: 421, response: '421 busy', message: 'Invalid greeting. response=421 busy: 421 busy' }],
    ['a 554 greeting', { code: 'EPROTOCOL', command: 'CONN', responseCode: 554, response: '554 no service', message: 'Invalid greeting. response=554 no service: 554 no service' }],
    ['the pool giving up on connections closed before the greeting', { code: 'ECONNECTION', message: 'Reached maximum number of retries after connection was closed' }],
    ['421 to EHLO', { code: 'ECONNECTION', command: 'EHLO', responseCode: 421, message: 'Server terminates connection. response=421 bye' }],
    ['a refused HELO', { code: 'EPROTOCOL', command: 'HELO', responseCode: 550, message: 'Invalid HELO. response=550 no' }],
    ['a failed STARTTLS', { code: 'ETLS', command: 'STARTTLS', message: 'Error upgrading connection with STARTTLS' }],
    ['a failed TLS handshake', { code: 'ETLS', command: 'CONN', message: 'Error initiating TLS - self-signed certificate' }],
    ['a name that does not resolve', { code: 'EDNS', originalCode: 'ENOTFOUND', command: 'CONN', message: 'getaddrinfo ENOTFOUND relay.invalid' }],
  ])('refused: %s', (_case, err) => {
    expect(relayTroubleOf(Object.assign(new Error(err.message), err))).toBe('refused');
  });

  it.each([
    ['no greeting in time', { code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'GREETING_TIMEOUT', message: 'Greeting never received' }],
    ['no connection in time', { code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'CONNECT_TIMEOUT', message: 'Connection timeout' }],
  ])('timeout: %s', (_case, err) => {
    expect(relayTroubleOf(Object.assign(new Error(err.message), err))).toBe('timeout');
  });

  it.each([
    ['no reply after DATA', { code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'SOCKET_TIMEOUT', message: 'Timeout' }],
    ['the connection closed after DATA', { code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }],
    ['a reset', { code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN', message: 'read ECONNRESET' }],
    ['an unreachable host (possibly mid-session)', { code: 'ESOCKET', originalCode: 'EHOSTUNREACH', command: 'CONN', message: 'connect EHOSTUNREACH' }],
  ])('dropped (may have been taken): %s', (_case, err) => {
    expect(relayTroubleOf(Object.assign(new Error(err.message), err))).toBe('dropped');
  });

  it.each([
    ['a policy refusal at RCPT', { code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.7.1 policy', message: "Can't send mail - all recipients were rejected: 550 5.7.1 policy" }],
    ['throttling at MAIL FROM', { code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 421, response: '421 4.7.0 Try later', message: 'Mail command failed: 421 4.7.0 Try later' }],
    ['a refusal after DATA', { code: 'EMESSAGE', command: 'DATA', responseCode: 554, response: '554 5.7.1 spam', message: 'Message failed: 554 5.7.1 spam' }],
    ['the server closing with 421 mid-session', { code: 'ECONNECTION', command: 'CONN', responseCode: 421, response: '421 closing', message: 'Server closed the connection: 421 closing' }],
    ['refused credentials', { code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, message: 'Invalid login: 535 no' }],
    ['an unexpected reply mid-session', { code: 'EPROTOCOL', command: 'CONN', responseCode: 250, message: 'Unexpected Response: 250 ok' }],
  ])('none (the relay answered): %s', (_case, err) => {
    expect(relayTroubleOf(Object.assign(new Error(err.message), err))).toBeUndefined();
  });

  it('none for what is not an error object', () => {
    expect(relayTroubleOf('ECONNREFUSED')).toBeUndefined();
    expect(relayTroubleOf(null)).toBeUndefined();
    expect(relayTroubleOf(new Error('render failed'))).toBeUndefined();
  });
});
