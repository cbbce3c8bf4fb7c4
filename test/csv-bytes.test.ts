/**
 * Rows read from their bytes (CsvRows.recordBytes, csv-bytes.ts) give what the string path gives:
 * the same ops, line accounting, notes and errors, on random rows of every preset and a tab-separated
 * mapping, with the values that decide between the two paths (digits past 15, leading zeros, op values
 * in any case, bytes that are not printable ASCII, empty fields, CR LF, times going backwards, bad
 * ranges and responses).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CSV_PRESETS, type CsvMapping, csvReading } from '../src/import/csv.js';
import { ByteFields, asciiValues } from '../src/import/csv-bytes.js';
import { CsvClock } from '../src/import/csv-clock.js';
import { importTrace } from '../src/import/index.js';
import type { Op } from '../src/model/op.js';
import { tmpFile } from './unit/import/helpers.js';

afterEach(() => {
  csvReading.bytes = true;
  vi.restoreAllMocks();
});

/** an import of `text` with rows read from bytes, and with every row read as a string */
async function importBoth(text: string | Buffer, mapping: CsvMapping, lenient: boolean): Promise<[string, string, number]> {
  const path = tmpFile(text, 'csv');
  const once = async (): Promise<[string, number]> => {
    const ops: Op[] = [];
    try {
      const summary = await importTrace(path, { op: (o) => ops.push(o), lock: () => {} }, { format: 'csv', csvMapping: mapping, lenient });
      return [JSON.stringify({ ops, summary }), ops.length];
    } catch (err) {
      return [JSON.stringify({ error: (err as Error).message, code: (err as { exitCode?: number }).exitCode, ops }), ops.length];
    }
  };
  csvReading.bytes = true;
  const [bytes, n] = await once();
  csvReading.bytes = false;
  const [strings] = await once();
  csvReading.bytes = true;
  return [bytes, strings, n];
}

/** a field value that sends a row one way or the other */
const oddField = fc.constantFrom('', 'Z', ' 7', '7 ', 'é', '\u00a0', '\t', '0x10', '1e3', '-5', '1.5', '99999999999999999', '007', 'ＲＥＡＤ', '\x7f');

describe('rows read from their bytes as the string path reads them', () => {
  const TAB_MAPPING: CsvMapping = { columns: { ts: 0, op: 1, offset: 2, length: 3, file: 4 }, tsUnit: 'ns', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['Rd', 'K'], writeValues: ['wr'], delimiter: '\t', header: false };
  const mappings: Record<string, CsvMapping> = { ...Object.fromEntries(Object.entries(CSV_PRESETS).filter(([name]) => name !== 'disksim').map(([name, p]) => [name, p.mapping])), tab: TAB_MAPPING };
  /** a row of the mapping's columns: good values mostly, an odd one in some field now and then */
  const row = fc.record({
    dt: fc.oneof({ weight: 20, arbitrary: fc.nat(3000) }, { weight: 1, arbitrary: fc.integer({ min: -50, max: -1 }) }),
    opIndex: fc.nat(5),
    upper: fc.boolean(),
    offset: fc.oneof({ weight: 8, arbitrary: fc.nat(1 << 20) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 53, 9007199254740000, 123456789012345) }),
    length: fc.constantFrom(512, 4096, 0, 65536),
    vol: fc.constantFrom('0', '7', '07', '12', 'sda', 'vol-1'),
    response: fc.constantFrom('0', '3052', '1', '123456789012'),
    odd: fc.oneof({ weight: 14, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.nat(7), oddField) }),
    extra: fc.constantFrom('', '', '', '', '', '', '', '', '', ',x'),
  });
  const input = fc.record({
    name: fc.constantFrom(...Object.keys(mappings)),
    first: fc.constantFrom('big', 'small'),
    rows: fc.array(row, { minLength: 1, maxLength: 30 }),
    eol: fc.constantFrom('\n', '\r\n'),
    blankAt: fc.option(fc.nat(30)),
    lenient: fc.constantFrom(true, true, true, false),
  });

  it('random rows of every preset and a tab-separated mapping: the same ops, accounting or error', async () => {
    // (rows the byte path read as far as their time: the first row of a trace sets the clock's origin through the string path)
    const clock = vi.spyOn(CsvClock.prototype, 'plainTsNsOfDigits');
    let bytePathUsed = 0;
    let rowsMade = 0;
    await fc.assert(fc.asyncProperty(input, async ({ name, first, rows, eol, blankAt, lenient }) => {
      const m = mappings[name];
      const c = m.columns;
      const width = m.columnCount ?? 5;
      const opValues = [...m.readValues, ...m.writeValues];
      // an epoch-sized first time (FILETIME ticks, µs or s since 1970) or a small one
      let ts = first === 'big' ? ({ filetime: 128166372003061629, us: 1577808000000123, s: 1487955651, ns: 1577808000000123456, ms: 1577808000123 } as Record<string, number>)[m.tsUnit] : 1000;
      const lines = rows.map((r) => {
        ts = Math.max(0, ts + r.dt);
        const fields = Array.from({ length: width }, () => 'x');
        fields[c.ts] = String(ts);
        const op = opValues[r.opIndex % opValues.length];
        fields[c.op] = r.upper ? op.toUpperCase() : op.toLowerCase();
        fields[c.offset] = String(r.offset);
        fields[c.length] = String(r.length);
        if (c.file !== undefined) fields[c.file] = r.vol;
        if (c.response !== undefined) fields[c.response] = r.response;
        if (r.odd !== null) fields[r.odd[0] % width] = r.odd[1];
        return fields.join(m.delimiter) + (m.delimiter === ',' ? r.extra : '');
      });
      if (blankAt !== null) lines.splice(blankAt % (lines.length + 1), 0, '');
      const header = m.header ? `${Array.from({ length: width }, (_, i) => `col${i}`).join(m.delimiter)}${eol}` : '';
      rowsMade += rows.length;
      const [bytes, strings] = await importBoth(header + lines.join(eol) + eol, m, lenient);
      expect(bytes).toBe(strings);
    }), { numRuns: 300 });
    bytePathUsed = clock.mock.results.filter((r) => typeof r.value === 'number').length;
    // (many rows go the byte path: the property compares something)
    expect(bytePathUsed).toBeGreaterThan(0.4 * rowsMade);
  });

  it('a line of random bytes between good rows', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), fc.boolean(), async (junk, lenient) => {
      const good = (i: number): Buffer => Buffer.from(`3,R,${i * 512},512,${1577808000000123 + i}\n`);
      const text = Buffer.concat([good(0), good(1), Buffer.from(junk.filter((x) => x !== 10 && x !== 34)), Buffer.from('\n'), good(2)]);
      const [bytes, strings] = await importBoth(text, CSV_PRESETS.alibaba.mapping, lenient);
      expect(bytes).toBe(strings);
    }), { numRuns: 200 });
  });

  it('real MSR rows are read from their bytes, with their exact times, volumes and responses', async () => {
    const text = '128166372003061629,hm,1,Read,3218248704,65536,3052\n128166372016382155,hm,1,Write,3218250240,4096,2800\n128166372016382156,hm,07,write,0,512,0\n';
    const clock = vi.spyOn(CsvClock.prototype, 'plainTsNsOfDigits');
    const [bytes, strings, n] = await importBoth(text, CSV_PRESETS.msr.mapping, false);
    expect(bytes).toBe(strings);
    expect(n).toBe(3);
    // (the first row sets the clock's origin through the string path; the others are read from bytes)
    expect(clock.mock.results.filter((r) => typeof r.value === 'number')).toHaveLength(2);
    const ops = (JSON.parse(bytes) as { ops: Op[] }).ops;
    expect(ops.map((o) => [o.tsNs, o.file, o.kind, o.offset, o.lengthBytes, o.durNs, o.line])).toEqual([
      [0, 'vol:1', 'read', 3218248704, 65536, 305200, 1],
      [1332052600, 'vol:1', 'write', 3218250240, 4096, 280000, 2],
      [1332052700, 'vol:07', 'write', 0, 512, undefined, 3],
    ]);
  });
});

describe('ByteFields', () => {
  const b = (s: string): Buffer => Buffer.from(s, 'latin1');

  it('splits at the delimiter and refuses empty fields, blanks and bytes outside printable ASCII', () => {
    const f = new ByteFields();
    expect(f.split(b('12,R,x'), 0, 6, 44)).toBe(true);
    expect([f.count, [...f.starts.slice(0, 3)], [...f.ends.slice(0, 3)]]).toEqual([3, [0, 3, 5], [2, 4, 6]]);
    for (const s of ['12,,x', ',R', 'R,', '', '1 ,2', '1,\t2', '1,é', '1,\x7f']) expect(f.split(b(s), 0, b(s).length, 44)).toBe(false);
    expect(f.split(b(Array.from({ length: 65 }, () => '1').join(',')), 0, 129, 44)).toBe(false);
  });

  it('reads whole numbers of up to 15 digits and compares op values ignoring ASCII case', () => {
    const f = new ByteFields();
    const line = b('000123,999999999999999,1234567890123456,12a,rEaD');
    expect(f.split(line, 0, line.length, 44)).toBe(true);
    expect([0, 1, 2, 3].map((i) => f.wholeNumber(line, i))).toEqual([123, 999999999999999, -1, -1]);
    expect(f.digitCount(line, 2)).toBe(16);
    expect(f.digitCount(line, 3)).toBe(-1);
    expect(f.equalsLowered(line, 4, b('read'))).toBe(true);
    expect(f.equalsLowered(line, 4, b('reads'))).toBe(false);
    // (a value that is not ASCII can equal no field read here)
    expect(asciiValues(['r', 'k', '\u212a', 'é']).map((v) => Buffer.from(v).toString('latin1'))).toEqual(['r', 'k']);
  });
});
