// A webhook worker process: the app with the worker role, delivering webhooks only (docs/rules.md §9).
import { run } from '../src/run.ts';

await run({ api: false, worker: true, queues: ['webhooks'] });
