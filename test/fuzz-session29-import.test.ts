/**
 * Importer defects a session-29 round found (fidelity and hostile input), each as a regression
 * test. The inputs are made here, line by line, in each format's own layout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvClock, scaledDecimal } from '../src/import/csv-clock.js';
import { CSV_PRESETS, type CsvMapping } from '../src/import/csv.js';
import { INPUT_PID_STRIDE } from '../src/import/ftrace.js';
import { loadTrace } from '../src/import/index.js';
import { loadAccounted, traceCmdWrite as tcWrite, writeLines } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz29-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const write = (name: string, lines: string[]): string => writeLines(tmp, name, lines);

const load = loadAccounted;

/** a bad line's sample without the file's path */
const reasons = (samples: string[]): string[] => samples.map((s) => s.replace(/^.*?:(\d+):/, '$1:'));

/** the generic mapping "ts,op,offset,length" with times in `unit` */
function columns(unit: CsvMapping['tsUnit']): CsvMapping {
  return { columns: { ts: 0, op: 1, offset: 2, length: 3 }, tsUnit: unit, offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['r'], writeValues: ['w'], delimiter: ',', header: false, columnCount: 4 };
}

describe('CSV: epoch times in every unit are exact', () => {
  it('Alibaba: two rows 1 µs apart at an epoch time (1.58e18 ns, past 2^53) are 1000 ns apart, counted from the first row (was: 1024 ns apart, doubles step by 256 ns)', async () => {
    const r = await load(write('ali.csv', ['3,R,4096,4096,1577808000000000', '3,W,8192,4096,1577808000000001', '3,R,0,512,1577808000000003']), { format: 'csv', csvPreset: 'alibaba' });
    expect(r.summary.lines.bad).toBe(0);
    expect(r.ops.map((o) => o.tsNs)).toEqual([0, 1000, 3000]);
    expect(r.summary).toMatchObject({ firstTsNs: 0, lastTsNs: 3000 });
    expect(r.summary.notes.join(' ')).toContain('CSV times (us) count from the first row\'s (1577808000000000 us, 2019-12-31T16:00:00.000Z)');
  });

  it('SYSTOR: a time in seconds with a µs fraction keeps its fraction exactly (was: off before scaling, 1487955651.234567 s read as a double)', async () => {
    const r = await load(write('systor.csv', [
      'Timestamp,Response,IOType,LUN,Offset,Size',
      '1487955651.234567,0.000344,R,1,3719168,4096',
      '1487955651.234568,0.000301,W,1,3719168,4096',
      '1487955651.2346,0.000301,W,0,0,512',
      '1487955652.000001,0.000205,R,0,0,512',
    ]), { format: 'csv', csvPreset: 'systor' });
    expect(r.summary.lines.bad).toBe(0);
    expect(r.ops.map((o) => o.tsNs)).toEqual([0, 1000, 33000, 765434000]);
    expect(r.ops.map((o) => o.durNs)).toEqual([344000, 301000, 301000, 205000]);
    expect(r.summary.notes.join(' ')).toContain('CSV times (s) count from the first row\'s (1487955651.234567 s, 2017-02-24T17:00:51.234Z)');
  });

  it('Tencent: whole epoch seconds count from the first row', async () => {
    const r = await load(write('tencent.csv', ['1538323200,1318912,8,0,1283', '1538323200,1319016,8,1,1283', '1538323201,65536,16,0,26']), { format: 'csv', csvPreset: 'tencent' });
    expect(r.ops.map((o) => [o.tsNs, o.kind, o.offset, o.lengthBytes, o.file])).toEqual([[0, 'read', 1318912 * 512, 4096, 'vol:1283'], [0, 'write', 1319016 * 512, 4096, 'vol:1283'], [1e9, 'read', 65536 * 512, 8192, 'vol:26']]);
  });

  it('every --ts-unit: epoch times are exact to the ns after the first row\'s', async () => {
    const rows = (times: string[]): string[] => times.map((t, i) => `${t},${i % 2 === 0 ? 'r' : 'w'},0,512`);
    const cases: [CsvMapping['tsUnit'], string[], number[]][] = [
      ['ns', ['1577808000123456789', '1577808000123456790', '1577808000123457045'], [0, 1, 256]],
      ['us', ['1577808000123456', '1577808000123456.001', '1577808000123457.5'], [0, 1, 1500]],
      ['ms', ['1577808000123', '1577808000123.000001', '1577808000124.25'], [0, 1, 1250000]],
      ['s', ['1577808000', '1577808000.000000001', '1.5778080001e9', '1577808000.1000000015'], [0, 1, 100000000, 100000002]],
    ];
    for (const [unit, times, want] of cases) {
      const r = await load(write(`unit-${unit}.csv`, rows(times)), { format: 'csv', csvMapping: columns(unit) });
      expect(r.ops.map((o) => o.tsNs), unit).toEqual(want);
    }
  });

  it('small (relative) times keep their values, with no note; fractions are exact to the ns, half a ns and up rounds up', async () => {
    const r = await load(write('small.csv', ['0.000001,r,0,1', '0.1234567891,w,0,1', '0.5000000005,r,0,1', '1e-05,r,0,1', '2.5E1,w,0,1']), { format: 'csv', csvMapping: columns('s'), lenient: true });
    expect(r.ops.map((o) => o.tsNs)).toEqual([1000, 123456789, 500000001, 25e9]);
    expect(reasons(r.summary.lines.badSamples)).toEqual(['4: column ts=0: timestamp goes backwards (0.000010s after 0.500000s on line 3)']);
    expect(r.summary.notes.join(' ')).not.toContain('count from the first row');
  });

  it('the same things are refused: before 1970, 2^63 ns on, backwards from the first row', async () => {
    const r = await load(write('refused.csv', [
      '1577808000.5,r,0,1', '1577808000.499999999,r,0,1', '-1,r,0,1', '9223372036.854775808,r,0,1', '1e20,r,0,1', '1577808000.5000000004,r,0,1', '1577808000.6,r,0,1',
    ]), { format: 'csv', csvMapping: columns('s'), lenient: true });
    expect(r.ops.map((o) => o.tsNs)).toEqual([0, 0, 1e8]);
    expect(reasons(r.summary.lines.badSamples)).toEqual([
      '2: column ts=0: timestamp goes backwards (1577808000.499999999 s is before the first row\'s 1577808000.5 s)',
      '3: column ts=0: timestamp -1000000000 ns is negative',
      '4: column ts=0: timestamp 9223372036854775808 ns is not below 2^63 ns',
      '5: column ts=0: timestamp 1e+29 ns is beyond 2^63 ns',
    ]);
  });

  it('a real-format line of each preset is read', async () => {
    const lines: Record<string, string[]> = {
      msr: ['128166372003061629,hm,1,Read,383890432,4096,41', '128166372003061639,hm,1,Write,383894528,4096,20'],
      alibaba: ['419,W,48891576320,4096,1577808000000109', '419,R,48891580416,4096,1577808000000110'],
      tencent: ['1538323200,1318912,8,0,1283', '1538323200,1319016,8,1,1283'],
      systor: ['Timestamp,Response,IOType,LUN,Offset,Size', '1487955651.234567,0.000344,R,1,3719168,4096', '1487955651.234568,0.000301,W,1,3719168,4096'],
      cloudphysics: ['version,time,op,size,lbn', '1,0.000012,28,4096,1234', '1,0.000013,2a,4096,1242'],
      disksim: ['0.000000 0 123456 8 1', '1000.5 0 123464 8 0'],
    };
    const want: Record<string, number[]> = { msr: [0, 1000], alibaba: [0, 1000], tencent: [0, 0], systor: [0, 1000], cloudphysics: [12000, 13000], disksim: [0, 1001] };
    const kinds = (preset: string): string[] => (preset === 'alibaba' ? ['write', 'read'] : ['read', 'write']);
    expect(Object.keys(lines).sort()).toEqual(Object.keys(CSV_PRESETS).sort());
    for (const preset of Object.keys(lines)) {
      const r = await load(write(`${preset}.csv`, lines[preset]), { format: 'csv', csvPreset: preset });
      expect(r.summary.lines.bad, preset).toBe(0);
      expect(r.ops.map((o) => o.tsNs), preset).toEqual(want[preset]);
      expect(r.ops.map((o) => o.kind), preset).toEqual(kinds(preset));
    }
  });
});

describe('CsvClock, unit by unit', () => {
  it('scaledDecimal: a decimal\'s digits times 10^shift, exactly, rounded half and up away from zero', () => {
    expect(scaledDecimal('1487955651.234567', 9)).toBe(1487955651234567000n);
    expect(scaledDecimal('0.0000000015', 9)).toBe(2n);
    expect(scaledDecimal('0.0000000014999', 9)).toBe(1n);
    expect(scaledDecimal('.5', 0)).toBe(1n);
    expect(scaledDecimal('-2.5', 0)).toBe(-3n);
    expect(scaledDecimal('1.5778080001e9', 9)).toBe(1577808000100000000n);
    expect(scaledDecimal('15778080001E-1', 9)).toBe(1577808000100000000n);
    expect(scaledDecimal('000.000e99999', 9)).toBe(0n);
    expect(scaledDecimal('1e-99999', 9)).toBe(0n);
    expect(scaledDecimal('1e40', 9)).toBeUndefined();
    expect(scaledDecimal('0x10', 0)).toBeUndefined();
  });

  /** the op times of `fields` through a fresh clock of `unit` */
  const times = (unit: ConstructorParameters<typeof CsvClock>[0], fields: string[]): (number | string)[] => {
    const clock = new CsvClock(unit);
    return fields.map((f) => clock.tsNs(f, Number(f)));
  };

  it('ns, us, ms, s: epoch times count from the first, exact; relative ones keep their values', () => {
    expect(times('ns', ['1577808000000000001', '1577808000000000002'])).toEqual([0, 1]);
    expect(times('ns', ['9007199254740991', '9007199254740992'])).toEqual([9007199254740991, 9007199254740992]);
    expect(times('us', ['1577808000000000', '1577808000000000.5'])).toEqual([0, 500]);
    expect(times('us', ['1000', '1000.0015'])).toEqual([1000000, 1000002]);
    expect(times('ms', ['1577808000000', '1577808000000.000001'])).toEqual([0, 1]);
    expect(times('ms', ['0.001', '2'])).toEqual([1000, 2000000]);
    expect(times('s', ['1487955651.234567', '1487955651.234568'])).toEqual([0, 1000]);
    expect(times('s', ['0.5', '1'])).toEqual([500000000, 1000000000]);
  });

  it('filetime: always counted from the first (every FILETIME after 1970 is past 2^53 ns since 1601), fractions of a tick exact', () => {
    expect(times('filetime', ['128166372003061629', '128166372003061629.25', '128166372003061630'])).toEqual([0, 25, 100]);
    expect(times('filetime', ['116444736000000000', '116444736000000001'])).toEqual([0, 100]);
  });

  it('the note says what the times count from, and the step of a double there; none for relative times', () => {
    const ali = new CsvClock('us');
    ali.tsNs('1577808000000000', 1577808000000000);
    expect(ali.originNote()).toBe('CSV times (us) count from the first row\'s (1577808000000000 us, 2019-12-31T16:00:00.000Z), so that they are exact to the ns: as ns since 1970 they pass 2^53 (1577808000s), where doubles step by 256 ns');
    const msr = new CsvClock('filetime');
    msr.tsNs('128166372003061629', 128166372003061629);
    expect(msr.originNote()).toBe('FILETIME times count from the first row\'s (128166372003061629, 2007-02-22T17:00:00.306Z), so that they are exact to the tick: as ns since 1970 they pass 2^53 (1172163600s), where doubles step by 256 ns');
    const rel = new CsvClock('s');
    rel.tsNs('12.5', 12.5);
    expect(rel.originNote()).toBeUndefined();
    expect(new CsvClock('s').originNote()).toBeUndefined();
  });

  it('refusals: before 1970 (FILETIME too), 2^63 ns on, before the first when counting from it', () => {
    expect(times('filetime', ['116444735999999999'])).toEqual(['timestamp -100 ns is negative']);
    expect(times('ns', ['9223372036854775807', '9223372036854775808', '9223372036854775809'])).toEqual([0, 'timestamp 9223372036854775808 ns is not below 2^63 ns', 'timestamp 9223372036854775809 ns is beyond 2^63 ns']);
    expect(times('us', ['1577808000000001', '1577808000000000'])).toEqual([0, 'timestamp goes backwards (1577808000000000 us is before the first row\'s 1577808000000001 us)']);
    // (relative times going backwards are TimeOrder's to refuse, as before)
    expect(times('s', ['2', '1'])).toEqual([2e9, 1e9]);
  });
});

/** trace-cmd report's header of two inputs (-i host.dat -i guest.dat): each input's "NAME: cpus=N", names right-justified */
const TWO_INPUTS = ['version = 6', ' host.dat: cpus=2', 'guest.dat: cpus=2'];

describe('trace-cmd report of several inputs: prefixed lines read as unprefixed ones', () => {
  it('a drop marker with an input\'s prefix is a lost-events marker, as without one; the event line trace-cmd prints after it (without the prefix) is that input\'s (was: a bad line, and the event the first input\'s)', async () => {
    const guest = tcWrite('guest.dat: ', 'fio', 7, 30, '8000');
    const r = await load(write('drops.txt', [
      ...TWO_INPUTS,
      ...tcWrite(' host.dat: ', 'fio', 7, 10, '2000'),
      // trace-cmd prints the prefix, then "CPU:N [K EVENTS DROPPED]\n" and the event in one piece
      'guest.dat: CPU:0 [5 EVENTS DROPPED]',
      tcWrite('', 'fio', 7, 30, '8000')[0],
      guest[1],
      guest[2],
      ' host.dat: CPU:1 [2 EVENTS DROPPED]',
      tcWrite('', 'fio', 8, 50, '4000')[0],
      ...tcWrite(' host.dat: ', 'fio', 8, 50, '4000').slice(1),
    ]));
    expect(r.summary.lines.bad).toBe(0);
    expect(r.summary.lines.skipped['lost-events-marker']).toBe(2);
    expect(r.summary.lostEvents).toBe(7);
    expect(r.ops.map((o) => [o.pid, o.comm, o.offset])).toEqual([[7, 'fio', 0x2000], [7 + INPUT_PID_STRIDE, 'fio', 0x8000], [8, 'fio', 0x4000]]);
  });

  it('blk tracer lines with an input\'s prefix are block requests as without one: the comm without the prefix, the task the input\'s', async () => {
    const blk = (prefix: string, comm: string, pid: number, cpu: string, ts: string, tail: string): string => `${prefix}${comm.padStart(16)}-${String(pid).padEnd(5)} [${cpu}] d..1.   ${ts}:   7,0    ${tail}`;
    const lines = (host: string, guest: string): string[] => [
      blk(host, 'fio', 10134, '001', '397.108559', 'Q  RS 133248 + 8 [fio]'),
      blk(guest, 'fio', 10134, '000', '397.108560', 'Q  WS 155528 + 8 [fio]'),
      blk(host, 'fio', 10134, '001', '397.108574', 'D  RS 133248 + 8 [fio]'),
      blk(guest, 'fio', 10134, '000', '397.108575', 'D  WS 155528 + 8 [fio]'),
      blk(host, 'ksoftirqd/1', 22, '001', '397.108616', 'C  RS 133248 + 8 [0]'),
      blk(guest, 'ksoftirqd/0', 14, '000', '397.108760', 'C  WS 155528 + 8 [0]'),
    ];
    const prefixed = await load(write('blk-two.txt', [...TWO_INPUTS, ...lines(' host.dat: ', 'guest.dat: ')]), { format: 'trace-cmd' });
    const plain = await load(write('blk-one.txt', ['version = 6', 'cpus=2', ...lines('', '')]), { format: 'trace-cmd' });
    expect(prefixed.summary.lines.bad).toBe(0);
    const brief = (o: { pid: number; comm: string; kind: string; file: string; offset: number; durNs?: number }) => [o.pid, o.comm, o.kind, o.file, o.offset, o.durNs];
    expect(plain.ops.map(brief)).toEqual([[10134, 'fio', 'read', 'blk:7:0', 133248 * 512, 42000], [10134, 'fio', 'write', 'blk:7:0', 155528 * 512, 185000]]);
    expect(prefixed.ops.map(brief)).toEqual([[10134, 'fio', 'read', 'blk:7:0', 133248 * 512, 42000], [10134 + INPUT_PID_STRIDE, 'fio', 'write', 'blk:7:0', 155528 * 512, 185000]]);
  });

  it('inputs whose headers name different CPU counts: the note says which input names which, and which count is used (was: "traces joined end to end?")', async () => {
    const r = await load(write('cpus-differ.txt', ['version = 6', ' host.dat: cpus=4', 'guest.dat: cpus=2', ...tcWrite(' host.dat: ', 'fio', 7, 10, '2000'), ...tcWrite('guest.dat: ', 'fio', 7, 30, '8000')]));
    expect(r.summary.cpus).toBe(4);
    const notes = r.summary.notes.join('\n');
    expect(notes).not.toContain('joined end to end');
    expect(notes).toContain('the trace-cmd inputs name different CPU counts: host.dat 4 CPUs (cpus=4, line 2), guest.dat 2 CPUs (cpus=2, line 3); each input is its own trace: a replay models the first count, host.dat\'s 4 CPUs (--cpus sets another count)');
    // one input whose header names two counts (two reports joined): the note stays
    const joined = await load(write('cpus-joined.txt', ['version = 6', 'cpus=4', ...tcWrite('', 'fio', 7, 10, '2000'), 'cpus=2', ...tcWrite('', 'fio', 8, 30, '8000')]));
    expect(joined.summary.notes.join('\n')).toContain('traces joined end to end?');
  });
});

describe('CsvClock against exact arithmetic (a property)', () => {
  it('epoch times in every unit, with fractions up to the ns: each op time is its exact ns after the first row\'s', () => {
    const units = [['ns', 0], ['us', 3], ['ms', 6], ['s', 9]] as const;
    fc.assert(fc.property(
      fc.constantFrom(...units),
      // a first time between 2^53 ns and 2^62 ns since 1970, then steps of 0 to 10^12 ns
      fc.bigInt({ min: 1n << 53n, max: 1n << 62n }),
      fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }),
      ([unit, digits], firstNs, steps) => {
        // a time as the unit's decimal, with the ns it holds (trailing zeros of the fraction dropped)
        const written = (ns: bigint): string => {
          const scale = 10n ** BigInt(digits);
          const frac = (ns % scale).toString().padStart(digits, '0').replace(/0+$/, '');
          return `${ns / scale}${frac !== '' ? `.${frac}` : ''}`;
        };
        const clock = new CsvClock(unit);
        let ns = firstNs;
        const want: number[] = [0];
        const got: (number | string)[] = [clock.tsNs(written(ns), Number(written(ns)))];
        for (const step of steps) {
          ns += step;
          want.push(Number(ns - firstNs));
          got.push(clock.tsNs(written(ns), Number(written(ns))));
        }
        expect(got).toEqual(want);
      },
    ), { numRuns: 300, seed: 29 });
  });
});

describe('trace-cmd report: an input\'s prefix changes nothing but the task (a property)', () => {
  it('writes, blk tracer requests and drop markers of the first input, with its prefix, import as without one', async () => {
    const blk = (prefix: string, comm: string, pid: number, us: number, tail: string): string => `${prefix}${comm.padStart(16)}-${String(pid).padEnd(5)} [000] d..1.   100.${String(us).padStart(6, '0')}:   7,0    ${tail}`;
    const event = fc.record({
      kind: fc.constantFrom('write', 'blk', 'drop'),
      comm: fc.constantFrom('fio', 'kworker/0:1', 'v1.2: x', 'a-b', 'x'),
      pid: fc.integer({ min: 1, max: 99999 }),
      sector: fc.integer({ min: 0, max: 1 << 20 }),
    });
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 8 }), async (events) => {
      const lines = (prefix: string): string[] => events.flatMap((e, i) => {
        const us = 10 + i * 100;
        if (e.kind === 'write') return tcWrite(prefix, e.comm, e.pid, us, (e.sector * 512).toString(16));
        if (e.kind === 'drop') return [`${prefix}CPU:0 [${e.sector} EVENTS DROPPED]`, tcWrite('', e.comm, e.pid, us, '0')[0], ...tcWrite(prefix, e.comm, e.pid, us, '0').slice(1)];
        return [blk(prefix, e.comm, e.pid, us, `Q  WS ${e.sector} + 8 [${e.comm.split(' ')[0]}]`), blk(prefix, e.comm, e.pid, us + 1, `D  WS ${e.sector} + 8 [${e.comm.split(' ')[0]}]`), blk(prefix, 'ksoftirqd/0', 14, us + 50, `C  WS ${e.sector} + 8 [0]`)];
      });
      n++;
      const prefixed = await loadTrace(write(`p${n}.txt`, [...TWO_INPUTS, ...lines(' host.dat: ')]), { format: 'trace-cmd', lenient: true });
      const plain = await loadTrace(write(`u${n}.txt`, ['version = 6', 'cpus=2', 'CPU 1 is empty', ...lines('')]), { format: 'trace-cmd', lenient: true });
      expect(prefixed.summary.lines.bad).toBe(plain.summary.lines.bad);
      expect(prefixed.summary.lostEvents).toBe(plain.summary.lostEvents);
      expect(prefixed.ops).toEqual(plain.ops);
    }), { numRuns: 60, seed: 29 });
  });
});

describe('trace-cmd report: a drop marker without a count', () => {
  it('"CPU:N [EVENTS DROPPED]" (the ring buffer did not say how many), with a prefix or without, is a lost-events marker with a note (was: a bad line, or a payload continuation after a foreign event)', async () => {
    const r = await load(write('uncounted.txt', [
      ...TWO_INPUTS,
      ...tcWrite(' host.dat: ', 'fio', 7, 10, '2000'),
      'guest.dat: CPU:1 [EVENTS DROPPED]',
      tcWrite('', 'fio', 7, 30, '8000')[0],
      ...tcWrite('guest.dat: ', 'fio', 7, 30, '8000').slice(1),
      ' host.dat: CPU:0 [3 EVENTS DROPPED]',
      tcWrite('', 'fio', 8, 50, '4000')[0],
      ...tcWrite(' host.dat: ', 'fio', 8, 50, '4000').slice(1),
    ]));
    expect(r.summary.lines.bad).toBe(0);
    expect(r.summary.lines.skipped['lost-events-marker']).toBe(2);
    expect(r.summary.lostEvents).toBe(3);
    expect(r.ops.map((o) => o.pid)).toEqual([7, 7 + INPUT_PID_STRIDE, 8]);
    expect(r.summary.notes).toContain('1 lost-events marker ("CPU:N [EVENTS DROPPED]") says events were lost without saying how many (not in lostEvents): ops around it may be incomplete');
    const one = await load(write('uncounted-one.txt', ['version = 6', 'cpus=2', 'CPU:0 [EVENTS DROPPED]', ...tcWrite('', 'fio', 7, 10, '2000'), 'CPU:1 [EVENTS DROPPED]', ...tcWrite('', 'fio', 8, 30, '4000')]));
    expect(one.summary.lines).toMatchObject({ bad: 0, skipped: { 'lost-events-marker': 2 } });
    expect(one.summary.lostEvents).toBe(0);
    expect(one.summary.notes).toContain('2 lost-events markers ("CPU:N [EVENTS DROPPED]") say events were lost without saying how many (not in lostEvents): ops around them may be incomplete');
  });
});
