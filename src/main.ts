import { run } from './run.ts';

// `npm start` runs the API and every worker; `npm run start:api` (argument "api") runs the API alone.
const mode = process.argv[2] ?? 'all';
await run({ api: mode !== 'worker', worker: mode !== 'api' });
