import type { CounterTexts } from '../console-texts-shape.ts';

/** Which word list names each label's values; the order here is the order of the words shown. */
const LISTS: [label: string, list: (c: CounterTexts) => Record<string, string>][] = [
  ['kind', (c) => c.kinds],
  ['provider', (c) => c.providers],
  ['outcome', (c) => c.outcomes],
  ['type', (c) => c.feedbackTypes],
  ['reason', (c) => c.reasons],
];

/**
 * One counter's labels in an operator's words ("Marketing · failed · could not be rendered") instead
 * of `kind=marketing, outcome=failed, reason=render_failed`. A value without words (a reason added
 * after this list) still reads as words, from its label and value; empty labels are left out.
 */
export function counterText(c: CounterTexts, labels: Record<string, string | number>): string {
  const known = LISTS.map(([label]) => label);
  const order = [...known.filter((l) => l in labels), ...Object.keys(labels).filter((l) => !known.includes(l))];
  return order
    .map((label) => {
      const value = String(labels[label] ?? '');
      if (value === '') return '';
      const words = LISTS.find(([l]) => l === label)?.[1](c);
      return words && Object.hasOwn(words, value) ? words[value]! : c.other(label, value);
    })
    .filter(Boolean)
    .join(' · ');
}

/** One label value in words (a message status, a feedback type), or readable as itself. */
export function labelWord(c: CounterTexts, label: 'outcome' | 'type' | 'reason', value: string): string {
  const words = LISTS.find(([l]) => l === label)![1](c);
  return Object.hasOwn(words, value) ? words[value]! : value.replace(/_/g, ' ');
}
