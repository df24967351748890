import express, { type RequestHandler } from 'express';

/** The recipient forms are a few short fields: anything larger is refused with 413. */
const FORM_LIMIT = '16kb';

/** Parses a recipient form (urlencoded, flat: no nested objects from `a[b]=c`). */
export const formBody = (): RequestHandler => express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 100 });
