/**
 * The CSV importer's fast paths give what the reference paths give: lines without quotes split
 * without csv-parse (csv-plain.ts) as csv-parse splits them, and plain-digit times without BigInt
 * (CsvClock) as the BigInt path reads them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CSV_PRESETS, type CsvMapping, csvParseOptions, csvReading } from '../src/import/csv.js';
import { CsvClock, type CsvTimeUnit } from '../src/import/csv-clock.js';
import { noLastRecord, plainSplitter } from '../src/import/csv-plain.js';
import { FIXTURES } from './helpers.js';
import { imported, tmpFile } from './unit/import/helpers.js';
import { importTrace } from '../src/import/index.js';
import type { Op } from '../src/model/op.js';

afterEach(() => {
  csvReading.plainLines = true;
});

/** csv-parse's records of `text` with csv.ts's options (a BOM at the start is csv.ts's to see: csv-parse reads it) */
function csvParseRecords(text: string, delimiter: string): string[][] {
  // (with info: true, as csv.ts reads, each record is { record, info })
  return (parse(text, csvParseOptions(delimiter, false)) as unknown as { record: string[] }[]).map((r) => r.record);
}

/** the lines of real CSV traces in the fixtures */
const REAL_LINES = [
  ...gunzipSync(readFileSync(join(FIXTURES, 'public', 'libcachesim', 'cloudPhysicsIO.csv.gz'))).toString('utf8').split('\n').slice(0, 200),
  ...gunzipSync(readFileSync(join(FIXTURES, 'public', 'mqsim', 'tpcc-small.trace.gz'))).toString('utf8').split('\n').slice(0, 200),
  '3,R,123445248,4096,1577808000000123',
  '128166372003061629,hm,1,Read,383496192,32768,41286',
];

/** a line without quotes or LF, of characters csv-parse treats specially and others */
const plainLine = fc.array(fc.constantFrom('1', '0', 'R', 'é', ',', ';', ' ', '\t', '\f', '\r', '\u00a0', '\u2028', '\ufeff', '.', '-', 'e'), { maxLength: 24 })
  .map((cs) => cs.join(''))
  // (a CR inside a line is lone: csv.ts has made it a space before any splitting)
  .map((l) => l.replace(/\r/g, ' '));

describe('lines without quotes: csv-plain.ts splits them as csv-parse does', () => {
  for (const delimiter of [',', ' ', '\t', ';']) {
    it(`delimiter ${JSON.stringify(delimiter)}: random and real lines`, () => {
      const split = plainSplitter(delimiter);
      expect(split).toBeDefined();
      fc.assert(fc.property(fc.oneof(plainLine, fc.constantFrom(...REAL_LINES)), (line) => {
        expect(split?.(line)).toEqual(csvParseRecords(`${line}\n`, delimiter)[0]);
      }), { numRuns: 2000 });
    });
  }

  it('the last line, with no LF after it, makes no record when it is only bytes csv-parse trims', () => {
    fc.assert(fc.property(plainLine, fc.constantFrom(',', ' '), (line, delimiter) => {
      const records = csvParseRecords(`x\n${line}`, delimiter);
      expect(noLastRecord(line, delimiter)).toBe(records.length === 1);
    }), { numRuns: 2000 });
  });

  it('a delimiter csv-plain.ts does not split on is left to csv-parse', () => {
    expect(plainSplitter('"')).toBeUndefined();
    expect(plainSplitter('\f')).toBeUndefined();
    expect(plainSplitter('§')).toBeUndefined();
  });
});

/** what an import of `text` gives (ops, summary or error), with lines split by csv-plain.ts or all by csv-parse */
async function importBoth(text: string | Buffer, mapping: CsvMapping, lenient: boolean): Promise<[string, string]> {
  const path = tmpFile(text, 'csv');
  const once = async (): Promise<string> => {
    const ops: Op[] = [];
    try {
      const summary = await importTrace(path, { op: (o) => ops.push(o), lock: () => {} }, { format: 'csv', csvMapping: mapping, lenient });
      return JSON.stringify({ ops, summary });
    } catch (err) {
      return JSON.stringify({ error: (err as Error).message, code: (err as { exitCode?: number }).exitCode, ops });
    }
  };
  csvReading.plainLines = true;
  const fast = await once();
  csvReading.plainLines = false;
  const reference = await once();
  csvReading.plainLines = true;
  return [fast, reference];
}

describe('an import reads the same with lines split by csv-plain.ts as with csv-parse alone', () => {
  const row = fc.record({ dev: fc.nat(3), op: fc.constantFrom('R', 'W', 'r', 'X'), offset: fc.nat(1000), length: fc.constantFrom(512, 4096), dtUs: fc.nat(5) });
  /** a line: a good row mostly, else a random line, with quotes now and then */
  const line = fc.oneof(
    { weight: 6, arbitrary: row },
    { weight: 2, arbitrary: plainLine },
    { weight: 1, arbitrary: fc.constantFrom('"3",R,0,512,1', '3,W,"0', '3,W,0"x,512,1', '', '\ufeff3,R,0,512,1', ' , ') },
  );
  const input = fc.record({
    lines: fc.array(line, { maxLength: 40 }),
    bom: fc.boolean(),
    end: fc.constantFrom('', '\n', '\r\n', ' ', '\r'),
    eol: fc.constantFrom('\n', '\r\n'),
    preset: fc.constantFrom('alibaba', 'disksim'),
    lenient: fc.boolean(),
  });

  it('random CSV text: the same ops, line accounting or error', async () => {
    await fc.assert(fc.asyncProperty(input, async ({ lines, bom, end, eol, preset, lenient }) => {
      let ts = 1577808000000123;
      const sep = preset === 'disksim' ? ' ' : ',';
      const text = lines.map((l) => {
        if (typeof l === 'string') return l;
        ts += l.dtUs;
        return preset === 'disksim' ? `${ts} ${l.dev} ${l.offset} 8 ${l.op === 'R' ? 1 : 0}` : [l.dev, l.op, l.offset, l.length, ts].join(sep);
      }).join(eol) + end;
      const [fast, reference] = await importBoth((bom ? '\ufeff' : '') + text, CSV_PRESETS[preset].mapping, lenient);
      expect(fast).toBe(reference);
    }), { numRuns: 150 });
  });

  it('a quote half-way: csv-parse reads from there, with the right line numbers (and a BOM there is a bad line, not a volume of its own)', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `3,R,${i * 512},512,${1577808000000123 + i}`);
    rows[2] = `3,W,"0,512,1577808000000200`;
    rows[4] = `\ufeff${rows[4]}`;
    const [fast, reference] = await importBoth(`${rows.join('\n')}\n`, CSV_PRESETS.alibaba.mapping, true);
    expect(fast).toBe(reference);
    const r = JSON.parse(fast) as { ops: { line: number; file: string }[]; summary: { lines: { badSamples: string[] } } };
    expect(r.ops.map((o) => o.line)).toEqual([1, 2, 4, 6]);
    expect(r.ops.map((o) => o.file)).toEqual(['vol:3', 'vol:3', 'vol:3', 'vol:3']);
    expect(r.summary.lines.badSamples[0]).toMatch(/:3: not valid CSV \(Quote Not Closed/);
    expect(r.summary.lines.badSamples[1]).toMatch(/:5: file column 0: a byte-order mark \(U\+FEFF\) inside the input/);
  });

  it('a BOM at the start is skipped', async () => {
    const r = await imported('\ufeff3,R,0,512,1577808000000123\n', { format: 'csv', csvPreset: 'alibaba' });
    expect(r.ops.map((o) => o.file)).toEqual(['vol:3']);
  });
});

describe('times of plain digits without BigInt give what BigInt gives', () => {
  const units: CsvTimeUnit[] = ['ns', 'us', 'ms', 's', 'filetime'];
  /** a first time (epoch-like, small, or near a digit boundary) and steps after it */
  const times = fc.record({
    unit: fc.constantFrom(...units),
    first: fc.oneof(
      fc.constantFrom(1577808000000123n, 128166372003061629n, 1487955651n, 999999999999999n, 9999999999999999n, 0n, 100n, 9007199254740991n, 9223372036854775n),
      fc.bigInt({ min: 0n, max: 10n ** 19n }),
    ),
    steps: fc.array(fc.oneof(fc.bigInt({ min: -3n, max: 1000n }), fc.bigInt({ min: -(10n ** 16n), max: 10n ** 17n })), { maxLength: 30 }),
    pad: fc.boolean(),
  });

  it('random sequences in every unit, counting from the first or not', () => {
    fc.assert(fc.property(times, ({ unit, first, steps, pad }) => {
      const fast = new CsvClock(unit);
      const exact = new CsvClock(unit, false);
      let t = first;
      const fields = [first, ...steps.map((s) => (t = t + s < 0n ? 0n : t + s))].map((v) => (pad ? `0${v}` : `${v}`));
      for (const field of fields) expect(fast.tsNs(field, Number(field))).toBe(exact.tsNs(field, Number(field)));
      expect(fast.originNote()).toBe(exact.originNote());
    }), { numRuns: 3000 });
  });

  it('an Alibaba time µs after the first, and across a change of the digits before the last 15', () => {
    const clock = new CsvClock('us');
    expect(clock.tsNs('1577808000000123', 1577808000000123)).toBe(0);
    expect(clock.tsNs('1577808000000124', 1577808000000124)).toBe(1000);
    expect(clock.tsNs('1999999999999999', 1999999999999999)).toBe((1999999999999999 - 1577808000000123) * 1000);
    expect(clock.tsNs('2000000000000000', 2000000000000000)).toBe((2000000000000000 - 1577808000000123) * 1000);
    expect(clock.tsNs('1577808000000122', 1577808000000122)).toMatch(/goes backwards/);
  });
});
