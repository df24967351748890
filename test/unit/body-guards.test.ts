import { describe, expect, it } from 'vitest';
import { findBodyProblem, MAX_JSON_DEPTH } from '../../src/http/body-guards.ts';

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('findBodyProblem', () => {
  it('finds a $-key anywhere, with its path, first in document order', () => {
    expect(findBodyProblem({ a: [{ ok: 1 }, { $where: 'x' }], $b: 1 })).toEqual({ kind: 'operator', path: 'a[1].$where' });
    expect(findBodyProblem({ to: { $gt: '' } })).toEqual({ kind: 'operator', path: 'to.$gt' });
    expect(findBodyProblem({ ['a\0b']: 1 })).toEqual({ kind: 'operator', path: 'a\0b' });
  });

  it('allows dotted keys and ordinary bodies', () => {
    expect(findBodyProblem({ data: { 'a.b': 1, list: [1, 'x', null, { c: true }] } })).toBeUndefined();
    expect(findBodyProblem('text')).toBeUndefined();
    expect(findBodyProblem(null)).toBeUndefined();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(findBodyProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findBodyProblem(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ kind: 'too_deep' });
  });

  it('answers for a 400 KB [[[…]]] without exhausting the stack', () => {
    const body: unknown = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(findBodyProblem(body)).toEqual({ kind: 'too_deep', path: expect.stringMatching(/^(\[0\]){64}$/) });
  });
});
