import type { z } from 'zod';
import { AppError } from './errors.ts';

/** Parses with zod; a failure is 400 `validation_failed` listing each problem with its path. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new AppError('validation_failed', `Invalid ${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, {
    status: 400,
    details: { issues },
  });
}
