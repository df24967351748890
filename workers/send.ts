// A send worker process: the app with the worker role, working the send queues only — every
// stream's, or those named: `npm run start:send-worker -- --stream marketing` (repeatable, or a/b,c).
import { run } from '../src/run.ts';
import { streamsFromArgs } from '../src/shared/roles.ts';

let streams: string[] | undefined;
try {
  streams = streamsFromArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
await run({ api: false, worker: true, queues: ['send'], ...(streams ? { streams } : {}) });
