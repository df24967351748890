/** The three kinds of message (docs/rules.md §1); every domain and the typed client speak of them. */
export const MESSAGE_KINDS = ['marketing', 'transactional', 'one_to_one'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
