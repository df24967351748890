import { Counter, type Registry } from 'prom-client';

/** Recipient actions on the public pages (README: metrics), counted on the app's registry. */
export function recipientActionsCounter(registry: Registry): Counter<'action'> {
  return new Counter({
    name: 'mailgate_recipient_actions_total',
    help: 'Recipient actions on the public pages, by action',
    labelNames: ['action'],
    registers: [registry],
  });
}
