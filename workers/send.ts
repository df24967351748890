// A send worker process: the app with the worker role, working the send queue only.
import { run } from '../src/run.ts';

await run({ api: false, worker: true, queues: ['send'] });
