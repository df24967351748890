export { normalizeAddress, tryNormalizeAddress, type NormalizeResult } from './normalize.ts';
