import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain-JS script of the repository, without types
import { LAYERS, violations } from '../scripts/check-layers.js';

describe('layers (docs/architecture.md)', () => {
  it('every import in src/ points to its own folder or a layer it may use; none is excepted', () => {
    expect(violations()).toEqual([]);
  });

  it('exporters need only the result data: report/ may import model/, util/, stats/ and errors', () => {
    expect(LAYERS.report).toEqual(['model', 'util', 'stats', 'errors.ts']);
    expect(LAYERS.model).toEqual([]);
    expect(LAYERS.strategies).not.toContain('engine');
  });
});
