/**
 * Resolves or rejects as `work` does, or rejects with `Error(message)` once `ms` have passed; the
 * timer is always cleared. The one bound for a call that may never answer (health checks, a Redis
 * add on a request path, a close at shutdown).
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when `work` settles within `ms` (its error counts as settled); false when it is still pending. */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return withDeadline(
    work.then(
      () => true,
      () => true,
    ),
    ms,
    'still pending',
  ).catch(() => false);
}
