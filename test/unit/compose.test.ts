import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Without Docker here, the compose file is read as text; CI also runs `docker compose config -q` where docker exists.
const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');

describe('docker-compose.yml is safe by default', () => {
  it.each(['MAILGATE_SECRET', 'MAILGATE_API_KEY', 'MAILGATE_ERASURE_KEY'])('makes the operator set %s: no usable default', (name) => {
    const line = compose.split('\n').find((l) => l.trim().startsWith(`${name}:`));
    expect(line).toMatch(new RegExp(`^\\s*${name}: "?\\$\\{${name}:\\?[^}]+\\}"?\\s*$`));
    expect(compose).not.toMatch(new RegExp(`\\$\\{${name}:?-`));
  });

  it('carries no placeholder secret', () => {
    expect(compose).not.toContain('change-me');
    expect(compose).not.toContain('mailgate-dev-secret');
  });

  it("binds Mailpit's UI to 127.0.0.1 only", () => {
    expect(compose).toContain('"127.0.0.1:8025:8025"');
    expect(compose).not.toMatch(/"8025:8025"/);
  });
});
