/** The queues a worker process can serve. */
export const WORKER_QUEUES = ['send', 'import', 'feedback', 'webhooks'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

/** What one process runs: the HTTP API (and recipient pages), the workers, or both. */
export interface Roles {
  api: boolean;
  worker: boolean;
  /** With `worker`: which queues this process works on (default: all of them). */
  queues?: readonly WorkerQueue[];
  /** With the `send` queue: which streams this process sends for (default: every stream in STREAMS). */
  streams?: readonly string[];
  /** The inbound SMTP listener for bounce and complaint mail (when FEEDBACK_SMTP_PORT is set). */
  feedbackSmtp?: boolean;
}

/**
 * The streams named on a worker's command line: `--stream marketing`, `--stream=a,b`, repeatable.
 * Undefined when none is named (the process serves every stream). Names are checked against
 * STREAMS when the app is built.
 */
export function streamsFromArgs(argv: readonly string[]): string[] | undefined {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--stream' ? argv[++i] : arg.startsWith('--stream=') ? arg.slice('--stream='.length) : undefined;
    if (arg !== '--stream' && value === undefined) continue;
    if (value === undefined || value.trim() === '') throw new Error('--stream needs a stream name, e.g. --stream marketing');
    names.push(...value.split(',').map((s) => s.trim()).filter(Boolean));
  }
  return names.length > 0 ? [...new Set(names)] : undefined;
}
