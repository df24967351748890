// One worker process for every queue (what `npm run start:worker` runs).
import { run } from '../src/run.ts';

await run({ api: false, worker: true });
