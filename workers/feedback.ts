// A feedback worker process: the app with the worker role, applying relay feedback only.
import { run } from '../src/run.ts';

await run({ api: false, worker: true, queues: ['feedback'] });
