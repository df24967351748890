// The console domain: the operator pages at /console (docs/rules.md §8), operator accounts and their
// sessions. The composition root (src/app.ts) builds a ConsoleDeps and mounts createConsoleRouter;
// the CLI (scripts/console.ts) manages accounts through ConsoleUserRepository.
export { createConsoleRouter } from './console-router.ts';
export type { ConsoleDeps } from './console-deps.ts';
export type { StreamActivity } from './pages/activity-page.ts';
export { ConsoleUserRepository, MIN_PASSWORD_LENGTH, type ConsoleUser } from './console-user-repository.ts';
export { RedisSessionStore } from './redis-session-store.ts';
export { signInLimits, DEFAULT_SIGN_IN_LIMITS, type SignInLimits, type SignInLimitOptions } from './sign-in-limits.ts';
export { CONSOLE_ROLES, isConsoleRole, type ConsoleRole, type ConsoleSection } from './console-roles.ts';
export { hashPassword, verifyPassword } from './password-hash.ts';
export { formsRoutes, type FormsSectionDeps } from './forms-routes.ts';
export { templatesRoutes, type TemplatesSectionDeps } from './templates-routes.ts';
export { deliverabilityRoutes, type DeliverabilitySectionDeps } from './deliverability-routes.ts';
