import fc from 'fast-check';

/**
 * An arbitrary that is true with probability `p`, shrinking towards the likelier value.
 * (fc.boolean takes no options: a `{ probability }` given to it is ignored and it is true half the time.)
 */
export function chance(p: number): fc.Arbitrary<boolean> {
  const trueWeight = Math.round(p * 1000);
  const t = { weight: trueWeight, arbitrary: fc.constant(true) };
  const f = { weight: 1000 - trueWeight, arbitrary: fc.constant(false) };
  return p >= 0.5 ? fc.oneof(t, f) : fc.oneof(f, t);
}
