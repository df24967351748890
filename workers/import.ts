// A bulk-import worker process: the app with the worker role, working the import queue only.
import { run } from '../src/run.ts';

await run({ api: false, worker: true, queues: ['import'] });
