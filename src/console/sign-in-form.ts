import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import { accountKey } from './account-key.ts';

/** The posted sign-in form: the email as typed (echoed on a failed attempt), the account it names, the password. */
export interface SignInForm {
  email: string;
  account: string;
  password: string;
}

// a missing or repeated field (an array) reads as empty: the attempt fails like a wrong password
const formSchema = z
  .object({ email: z.string().catch(''), password: z.string().catch('') })
  .catch({ email: '', password: '' });

/**
 * Reads the sign-in form once into `res.locals.signIn`, with the account key (account-key.ts) that
 * both the per-account limit and the lookup use. An over-long email throws `email_too_long` (400)
 * here: no lookup and no password hashing follow, and the per-IP limit, mounted before, counts it.
 */
export const readSignInForm: RequestHandler = (req, res, next) => {
  const { email, password } = formSchema.parse(req.body);
  res.locals.signIn = { email, account: accountKey(email), password } satisfies SignInForm;
  next();
};

/** The form readSignInForm read. */
export function signInFormOf(res: Response): SignInForm {
  const form = res.locals.signIn as SignInForm | undefined;
  if (!form) throw new Error('readSignInForm did not run before this handler');
  return form;
}
