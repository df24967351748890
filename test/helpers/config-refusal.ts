import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The one line a refused configuration throws (failing the test if it is accepted). */
export function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}
