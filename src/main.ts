import { run } from './run.ts';

// `npm start` runs the API, every worker and (with FEEDBACK_SMTP_PORT) the feedback SMTP listener;
// `npm run start:api` ("api") runs the API alone; `npm run start:feedback` ("feedback") the listener alone.
const mode = process.argv[2] ?? 'all';
await run({ api: mode === 'all' || mode === 'api', worker: mode === 'all', feedbackSmtp: mode === 'all' || mode === 'feedback' });
