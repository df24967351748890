import { describe, expect, it } from 'vitest';
import { bodyParserError } from '../../src/http/body-errors.ts';
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

describe('bodyParserError', () => {
  const said = (type: string, voice: 'api' | 'page') => {
    const err = bodyParserError(Object.assign(new Error(type), { type }), voice);
    return err && [err.code, err.status];
  };

  it('says each body-parser failure in the API\'s words and in the pages\'', () => {
    expect(said('entity.too.large', 'api')).toEqual(['payload_too_large', 413]);
    expect(said('entity.too.large', 'page')).toEqual(['payload_too_large', 413]);
    expect(said('parameters.too.many', 'page')).toEqual(['payload_too_large', 413]);
    expect(said('charset.unsupported', 'api')).toEqual(['unsupported_encoding', 415]);
    expect(said('encoding.unsupported', 'page')).toEqual(['unsupported_media_type', 415]);
    expect(said('entity.parse.failed', 'api')).toEqual(['malformed_json', 400]);
    expect(said('entity.parse.failed', 'page')).toEqual(['invalid_form', 400]);
    expect(said('request.aborted', 'page')).toEqual(['invalid_form', 400]);
  });

  it('leaves every other error to the caller (the API\'s generic 500 for the failures it does not name)', () => {
    expect(said('request.aborted', 'api')).toBeUndefined();
    expect(said('toString', 'page')).toBeUndefined();
    expect(bodyParserError(new Error('boom'), 'api')).toBeUndefined();
    expect(bodyParserError(null, 'page')).toBeUndefined();
  });
});
