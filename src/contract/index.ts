// The HTTP contract of /v1: the shapes the API parses and answers with, shared by the routes, the
// OpenAPI document and the typed client (src/client/). Other folders import only from this file.
export { apiErrorDetailSchema, apiErrorSchema, type ApiError } from './api-error.ts';
export * from './message-input.ts';
export * from './message-views.ts';
