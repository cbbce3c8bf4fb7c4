import { describe, expect, it } from 'vitest';
import { BadInputError, clip, clipText } from '../../src/errors.js';

describe('clipping text for messages', () => {
  it('never cuts a character beyond U+FFFF in half: a strict error\'s excerpt (now UTF-8 as written) and a note alike', () => {
    const line = `${'a'.repeat(159)}😀 and more`;
    // (the emoji's first half would be the 160th code unit)
    expect(clipText(line, 160)).toBe(`${'a'.repeat(159)}…`);
    expect(new BadInputError('t.trace', 7, 'bad line', line).message).toBe(`t.trace:7: bad line\n  ${'a'.repeat(159)}…`);
    // a whole emoji inside the limit stays; text within the limit is as it was
    expect(clipText(line, 161)).toBe(`${'a'.repeat(159)}😀…`);
    expect(clipText('short', 160)).toBe('short');
  });

  it('clip also shows control characters as "?" (C1 too), then clips', () => {
    expect(clip('a\x1b[2Jb\x9bc', 160)).toBe('a?[2Jb?c');
    expect(clip(`\x07${'x'.repeat(10)}`, 5)).toBe('?xxxx…');
  });
});
