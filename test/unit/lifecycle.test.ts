import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../src/composition/lifecycle.ts';
import { settlesWithin } from '../../src/shared/deadline.ts';
import { createLogger } from '../../src/shared/logger.ts';

describe('Lifecycle.close', () => {
  it('closes in reverse order, and goes on past a close that never finishes, naming it', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const life = new Lifecycle(50);
    const closed: string[] = [];
    life.onClose({ close: async () => void closed.push('first') }, 'first');
    life.onClose({ close: () => new Promise(() => undefined) }, 'worker send-marketing');
    life.onClose({ close: async () => void closed.push('last') }, 'last');
    await life.close(logger);
    expect(closed).toEqual(['last', 'first']);
    const slow = lines.map((l) => JSON.parse(l) as { event?: string; name?: string }).filter((l) => l.event === 'app.close_slow');
    expect(slow.map((l) => l.name)).toEqual(['worker send-marketing']);
  });

  it('settlesWithin tells a pending promise from a settled or failed one', async () => {
    expect(await settlesWithin(Promise.resolve(1), 50)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('x')), 50)).toBe(true);
    expect(await settlesWithin(new Promise(() => undefined), 20)).toBe(false);
  });
});
