import { z } from 'zod';
import type { Locale } from '../shared/locale.ts';
import { MESSAGE_KINDS } from '../shared/message-kinds.ts';

export { LOCALES, type Locale } from '../shared/locale.ts';

/** What GET /v1/templates lists. */
export const templateInfoSchema = z
  .object({
    name: z.string(),
    kind: z.enum(MESSAGE_KINDS),
    subscriptionType: z.string().optional(),
    subject: z.string(),
    sampleData: z.record(z.string(), z.unknown()).meta({ description: 'The example data the template ships with, enough to render it' }),
    origin: z.enum(['file', 'stored']).optional().meta({ description: 'Where the template lives: files in the deployment, or stored (drafts and versions, docs/rules.md §14)' }),
    version: z.number().int().positive().optional().meta({ description: 'Stored: the newest published version, which a message enqueued now is pinned to' }),
  })
  .meta({ id: 'Template' });
export type TemplateInfo = z.infer<typeof templateInfoSchema>;

export interface RenderInput {
  template: string;
  data: Record<string, unknown>;
  locale: Locale;
  /** Normalized recipient; the footer links are signed for it. */
  to: string;
  messageId: string;
  /** For marketing: the type named in the footer and in the one-click link. */
  subscriptionType?: string;
  /** A stored template: the version the message is pinned to (absent: a file template). */
  templateVersion?: number;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post for marketing. */
  headers: Record<string, string>;
}

/** Compiled templates, ready to fill per message. */
export interface TemplateRenderer {
  list(): TemplateInfo[];
  get(name: string): TemplateInfo | undefined;
  render(input: RenderInput): RenderedMessage;
  /**
   * The data paths a template cannot render without in a locale (undefined for an unknown
   * template), known since compile time: enqueue checks data against them without rendering.
   */
  requiredFields(name: string, locale: Locale): readonly string[] | undefined;
  /**
   * Makes `render` of this stored version possible (compiles it once per process; a no-op for a
   * file template or a version already compiled). Rendering stays synchronous and cheap.
   */
  prepare?(template: string, version: number | undefined): Promise<void>;
}
