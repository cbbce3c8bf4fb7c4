/**
 * Inputs for the fuzz campaign: a window of real lines of a corpus, with and without its header,
 * changed by a few mutations (a number replaced by an extreme one, a cut, an insertion of arbitrary
 * text, a line dropped, doubled or swapped, an arbitrary line). fast-check shrinks a failing input
 * to fewer mutations and a shorter window.
 */
import fc from 'fast-check';
import type { Corpus } from './corpus.js';

/** numbers at the edges of what the importers accept (and past them) */
export const EXTREME_NUMBERS = [
  '0', '-0', '-1', '1', '4095', '4096', '65535', '4294967295', '4294967296', '9007199254740991', '9007199254740992', '9007199254740993',
  '9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616', '1e308', '1e309', '-1e308', '1e-300',
  '0.5', '3.99999', 'NaN', 'Infinity', '-Infinity', '0x0', '0x7fffffffffffffff', '0xffffffffffffffff', '0x', '99999999999999999999999999999999999999',
  '', '+', '.', '1.2.3', '00000000000000000001',
] as const;

export type Mutation =
  | { type: 'number'; line: number; which: number; value: string }
  | { type: 'cut'; line: number; at: number; chars: number }
  | { type: 'insert'; line: number; at: number; text: string }
  | { type: 'drop'; line: number }
  | { type: 'double'; line: number }
  | { type: 'swap'; line: number }
  | { type: 'line'; line: number; text: string };

export interface FuzzInput {
  start: number;
  length: number;
  withHeader: boolean;
  withTrailer: boolean;
  finalNewline: boolean;
  mutations: Mutation[];
}

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(',', ' ', ':', '=', '"', '\r', '\t', '\0', '#', '\\', 'é', '\u2028', '0x', ': ', ' ino ', ' dev ', 'sys_enter_', 'op,'),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('number' as const), line: fc.nat(), which: fc.nat(12), value: fc.constantFrom(...EXTREME_NUMBERS) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cut' as const), line: fc.nat(), at: fc.nat(200), chars: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('insert' as const), line: fc.nat(), at: fc.nat(200), text }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('drop' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('double' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('swap' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('line' as const), line: fc.nat(), text }) },
);

/** The arbitrary inputs of one corpus. */
export function fuzzInput(maxLines = 120): fc.Arbitrary<FuzzInput> {
  return fc.record({
    start: fc.nat(),
    length: fc.integer({ min: 1, max: maxLines }),
    withHeader: fc.boolean(),
    withTrailer: fc.boolean(),
    finalNewline: fc.boolean(),
    mutations: fc.array(mutation, { maxLength: 6 }),
  });
}

const NUMBER = /0x[0-9a-fA-F]+|\d+(?:\.\d+)?/g;

function mutateLine(line: string, m: Mutation): string {
  switch (m.type) {
    case 'number': {
      const spans = [...line.matchAll(NUMBER)];
      if (spans.length === 0) return line;
      const s = spans[m.which % spans.length];
      const at = s.index ?? 0;
      return line.slice(0, at) + m.value + line.slice(at + s[0].length);
    }
    case 'cut': {
      const at = m.at % (line.length + 1);
      return line.slice(0, at) + line.slice(at + m.chars);
    }
    case 'insert': {
      const at = m.at % (line.length + 1);
      return line.slice(0, at) + m.text + line.slice(at);
    }
    default:
      return line;
  }
}

/** The bytes of an input: the window, its header and trailer, the mutations applied in order. */
export function render(corpus: Corpus, input: FuzzInput): Buffer {
  const from = corpus.starts.length > 0 ? corpus.starts[input.start % corpus.starts.length] : 0;
  const lines = corpus.lines.slice(from, from + input.length);
  for (const m of input.mutations) {
    if (lines.length === 0) lines.push('');
    const i = m.line % lines.length;
    switch (m.type) {
      case 'drop': lines.splice(i, 1); break;
      case 'double': lines.splice(i, 0, lines[i]); break;
      case 'swap': if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1], lines[i]]; break;
      case 'line': lines.splice(i, 0, m.text); break;
      default: lines[i] = mutateLine(lines[i], m);
    }
  }
  const all = [...(input.withHeader ? corpus.header : []), ...lines, ...(input.withTrailer ? corpus.trailer : [])];
  return Buffer.from(all.join('\n') + (input.finalNewline && all.length > 0 ? '\n' : ''), 'utf8');
}
