import type { Connection } from 'mongoose';
import { Counter, type Registry } from 'prom-client';

/**
 * `mailgate_mongo_commands_total{command}` and `mailgate_mongo_command_failures_total{command}`,
 * from the driver's command monitoring (connectMongo turns it on). The first is how an operator
 * sizes MongoDB (docs/scaling.md: commands per message); the second shows a failover or an
 * overloaded server as it happens. Command names are the driver's (find, insert, update, …): a
 * small fixed set, so the label stays bounded.
 */
export function countMongoCommands(db: Connection, registry: Registry): void {
  const commands = new Counter({ name: 'mailgate_mongo_commands_total', help: 'MongoDB commands this process sent, by command name', labelNames: ['command'], registers: [registry] });
  const failures = new Counter({ name: 'mailgate_mongo_command_failures_total', help: 'MongoDB commands that failed (error reply or lost connection), by command name', labelNames: ['command'], registers: [registry] });
  const client = db.getClient();
  client.on('commandStarted', (event) => commands.inc({ command: event.commandName }));
  client.on('commandFailed', (event) => failures.inc({ command: event.commandName }));
}
