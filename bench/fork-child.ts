import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { join } from 'node:path';

// Child processes of the benches (bench/run.ts, bench/capacity.ts), over IPC: one question at a time.
export interface Child {
  pid: number;
  ask<T>(what: Serializable): Promise<T>;
  close(): Promise<void>;
}
export function forkChild(file: string, args: string[], env: NodeJS.ProcessEnv, execArgv: string[] = []): Promise<{ child: Child; first: unknown }> {
  const proc: ChildProcess = fork(file.startsWith('/') ? file : join(import.meta.dirname, file), args, { env, execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting: { resolve: (msg: unknown) => void; reject: (err: Error) => void }[] = [];
  proc.on('message', (msg) => waiting.shift()?.resolve(msg));
  proc.once('exit', (code) => waiting.splice(0).forEach((w) => w.reject(new Error(`${file} exited with ${code}`))));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      if (proc.exitCode !== null) reject(new Error(`${file} has exited`));
      else waiting.push({ resolve, reject });
    });
  const child: Child = {
    pid: proc.pid!,
    ask: <T>(what: Serializable) => {
      const answer = next();
      proc.send(what);
      return answer as Promise<T>;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.send('close');
      }),
  };
  return next().then((first) => ({ child, first }));
}
