import { z } from 'zod';

/**
 * The body of every error the API answers (docs/rules.md §3): a stable snake_case `code` to branch
 * on, a `message` for people, and `details` where a route has more to say (e.g. zod's issues).
 * Shared by the error middleware's document, the API reference and the typed client.
 */
export const apiErrorDetailSchema = z.object({
  code: z.string().meta({ example: 'validation_failed' }),
  message: z.string().meta({ example: 'Invalid message: to: Invalid input' }),
  details: z.unknown().optional(),
});

export const apiErrorSchema = z.object({ error: apiErrorDetailSchema }).meta({ id: 'Error', description: 'Every error answer: `{"error": {"code", "message", "details"}}`' });

export type ApiError = z.infer<typeof apiErrorSchema>;
