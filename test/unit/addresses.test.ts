import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeAddress, tryNormalizeAddress } from '../../src/addresses/index.ts';
import { AppError } from '../../src/shared/errors.ts';

const ok = (input: string) => {
  const result = tryNormalizeAddress(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted: ${result.reason}`);
  return result.address;
};

describe('normalizeAddress: examples', () => {
  it.each([
    ['Ann@Example.com', 'ann@example.com'],
    ['  ann@example.com\t', 'ann@example.com'],
    ['ANN+News@EXAMPLE.COM', 'ann+news@example.com'],
    ['first.last@sub.example.co.uk', 'first.last@sub.example.co.uk'],
    ['ann@BÜCHER.de', 'ann@xn--bcher-kva.de'],
    ['ann@bücher.de', 'ann@xn--bcher-kva.de'],
    ['ann@例え.テスト', 'ann@xn--r8jz45g.xn--zckzah'],
    ['ann@xn--bcher-kva.de', 'ann@xn--bcher-kva.de'],
    ['ann@example。com', 'ann@example.com'],
    ["o'brien@example.ie", "o'brien@example.ie"],
  ])('%j → %j', (input, expected) => {
    expect(ok(input)).toBe(expected);
  });

  it('keeps dots and +tags: they are different addresses', () => {
    expect(ok('ann+x@example.com')).not.toBe(ok('ann@example.com'));
    expect(ok('a.nn@example.com')).not.toBe(ok('ann@example.com'));
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['ann', 'no @'],
    ['@example.com', 'no local part'],
    ['ann@', 'no domain'],
    ['ann@localhost', 'no dot in the domain'],
    ['ann@@example.com', 'two @'],
    ['ann@b@example.com', 'two addresses glued'],
    ['Ann <ann@example.com>', 'display name'],
    ['"Ann" ann@example.com', 'quoted display name'],
    ['ann@example.com, bob@example.com', 'a list'],
    ['ann@example.com;bob@example.com', 'a list with ;'],
    ['ann@example.com\r\nBcc: eve@evil.test', 'header injection CRLF'],
    ['ann@example.com\nBcc: eve@evil.test', 'header injection LF'],
    ['ann\r@example.com', 'CR in the local part'],
    ['ann\u0000@example.com', 'NUL'],
    ['ann\u0085@example.com', 'C1 control (NEL)'],
    ['ann@exam ple.com', 'space in the domain'],
    ['ann@ex%41mple.com', 'percent-encoding in the domain'],
    ['ann@exa\u00admple.com', 'soft hyphen (invisible) in the domain'],
    ['ann@exa\u200bmple.com', 'zero-width space in the domain'],
    ['ann@1.2.3.4', 'an IP address'],
    ['ann@0x7f.1', 'an IPv4 number in disguise'],
    ['ann@[127.0.0.1]', 'an address literal'],
    ['ann@-example.com', 'label starting with a hyphen'],
    ['ann@example-.com', 'label ending with a hyphen'],
    ['ann@example..com', 'empty label'],
    ['ann@example.com.', 'trailing dot'],
    ['.ann@example.com', 'leading dot in the local part'],
    ['an..n@example.com', 'double dot in the local part'],
    ['ann@exa_mple.com', 'underscore in the domain'],
    ['ann@xn--zz.com', 'broken punycode'],
    ['äöü@example.com', 'non-ASCII local part'],
    [`${'a'.repeat(65)}@example.com`, 'local part over 64'],
    [`ann@${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(10)}.com`, 'over 254 in total'],
    ['x'.repeat(100_000), 'huge input'],
  ])('rejects %j (%s)', (input) => {
    expect(tryNormalizeAddress(input).ok).toBe(false);
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 42, {}, ['ann@example.com']]) expect(tryNormalizeAddress(value).ok).toBe(false);
  });

  it('normalizeAddress throws a 400 invalid_address AppError', () => {
    expect(normalizeAddress('Ann@Example.com')).toBe('ann@example.com');
    try {
      normalizeAddress('Ann <ann@example.com>');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('invalid_address');
      expect((err as AppError).status).toBe(400);
    }
  });
});

/** Any string, including control characters, separators and addresses with injected text. */
const anyInput = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.emailAddress(),
  fc.tuple(fc.emailAddress(), fc.constantFrom('\r\n', '\n', '\r', ',', ', ', ';', ' ', '\u2028', '\u0085'), fc.emailAddress()).map(([a, sep, b]) => `${a}${sep}${b}`),
  fc.tuple(fc.string({ maxLength: 10 }), fc.emailAddress()).map(([name, a]) => `${name} <${a}>`),
);

describe('normalizeAddress: properties', () => {
  it('normalizing twice equals normalizing once', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const once = tryNormalizeAddress(input);
        if (!once.ok) return;
        expect(tryNormalizeAddress(once.address)).toEqual(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('case never matters', () => {
    fc.assert(
      fc.property(fc.mixedCase(fc.emailAddress()), (input) => {
        expect(tryNormalizeAddress(input)).toEqual(tryNormalizeAddress(input.toLowerCase()));
        expect(tryNormalizeAddress(input)).toEqual(tryNormalizeAddress(input.toUpperCase()));
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts generated valid addresses and keeps them apart only by what matters', () => {
    fc.assert(
      fc.property(fc.emailAddress({ size: 'small' }), (input) => {
        const result = tryNormalizeAddress(input);
        // fast-check may produce numeric top-level labels, which we refuse as IP-like; everything else is accepted.
        const topLabel = input.slice(input.lastIndexOf('.') + 1);
        if (/^[a-z]/i.test(topLabel)) expect(result).toEqual({ ok: true, address: input.toLowerCase() });
      }),
      { numRuns: 1000 },
    );
  });

  it('no output ever contains CR, LF, a comma, whitespace or a control character, or exceeds 254 characters', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = tryNormalizeAddress(input);
        if (!result.ok) return;
        // eslint-disable-next-line no-control-regex
        expect(result.address).not.toMatch(/[\r\n,\s\u0000-\u001f\u007f-\u009f]/);
        expect(result.address.length).toBeLessThanOrEqual(254);
        expect(result.address.split('@')).toHaveLength(2);
      }),
      { numRuns: 3000 },
    );
  });

  it('an address joined to anything by CR, LF or a comma is always refused', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('\r', '\n', '\r\n', ','), fc.string({ maxLength: 20 }), (a, sep, rest) => {
        expect(tryNormalizeAddress(`${a}${sep}${rest}x`).ok).toBe(false);
      }),
    );
  });
});
