/** Who may use the console, and which pages each role sees (docs/rules.md §8). */
export const CONSOLE_ROLES = ['admin', 'marketer', 'support'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export const isConsoleRole = (value: unknown): value is ConsoleRole => typeof value === 'string' && (CONSOLE_ROLES as readonly string[]).includes(value);

export const CONSOLE_SECTIONS = ['addresses', 'suppressions', 'forms', 'templates', 'deliverability', 'activity'] as const;
export type ConsoleSection = (typeof CONSOLE_SECTIONS)[number];

const ACCESS: Record<ConsoleSection, readonly ConsoleRole[]> = {
  addresses: ['support', 'admin'],
  suppressions: ['support', 'admin'],
  forms: ['marketer', 'admin'],
  templates: ['marketer', 'admin'],
  deliverability: ['marketer', 'admin'],
  activity: ['admin'],
};

export const mayUse = (role: ConsoleRole, section: ConsoleSection): boolean => ACCESS[section].includes(role);

export const sectionsFor = (role: ConsoleRole): ConsoleSection[] => CONSOLE_SECTIONS.filter((s) => mayUse(role, s));
