/**
 * Operator accounts for the console (docs/rules.md §8):
 *   npm run console -- add-user <email> --role admin|marketer|support
 *   npm run console -- list-users
 *   npm run console -- remove-user <email>
 *   npm run console -- set-password <email>
 * The password is read from standard input when it is not a terminal (scripts, tests), else prompted for.
 */
import { createInterface } from 'node:readline';
import { loadConfigOrExit } from '../src/config.ts';
import { connectMongo } from '../src/composition/connections.ts';
import { AppError } from '../src/shared/errors.ts';
import { CONSOLE_ROLES, ConsoleUserRepository, isConsoleRole } from '../src/console/index.ts';

const USAGE = `usage: npm run console -- add-user <email> --role ${CONSOLE_ROLES.join('|')}
       npm run console -- list-users
       npm run console -- remove-user <email>
       npm run console -- set-password <email>`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prompts on the terminal without echoing what is typed. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let muted = false;
    output._writeToOutput = (text: string) => {
      if (!muted || text.includes('\n')) process.stdout.write(muted ? '\n' : text);
    };
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
    muted = true;
  });
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  const first = await prompt('Password: ');
  const second = await prompt('Repeat the password: ');
  if (first !== second) throw new AppError('password_mismatch', 'The passwords differ', { status: 400 });
  return first;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const email = rest.find((arg, i) => !arg.startsWith('--') && rest[i - 1] !== '--role');
  const roleIndex = rest.indexOf('--role');
  const role = roleIndex >= 0 ? rest[roleIndex + 1] : undefined;
  if (!command || !['add-user', 'list-users', 'remove-user', 'set-password'].includes(command) || (command !== 'list-users' && !email)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'add-user' && !isConsoleRole(role)) {
    process.stderr.write(`--role must be one of ${CONSOLE_ROLES.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrExit();
  const db = await connectMongo(config.mongoUrl);
  try {
    const users = new ConsoleUserRepository({ db });
    switch (command) {
      case 'add-user': {
        const user = await users.add(email!, role as (typeof CONSOLE_ROLES)[number], await readPassword());
        process.stdout.write(`added ${user.email} (${user.role})\n`);
        break;
      }
      case 'list-users':
        for (const user of await users.list()) process.stdout.write(`${user.email}\t${user.role}\t${user.createdAt.toISOString()}\n`);
        break;
      case 'remove-user':
        await users.remove(email!);
        process.stdout.write(`removed ${email!.trim().toLowerCase()}\n`);
        break;
      case 'set-password':
        await users.setPassword(email!, await readPassword());
        process.stdout.write(`password set for ${email!.trim().toLowerCase()}\n`);
        break;
    }
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
