/**
 * --from/--to on CSV traces with epoch times (FILETIME ticks, µs or seconds since 1970): their op
 * times count from the first row's, so a --from copied from the CSV or from `date +%s` kept no op
 * and nothing said why. A value from 2^53 ns on (9007199.254740992 s) is now a time since 1970,
 * taken exactly; smaller ones and +S keep their meaning; other traces are unchanged; and a time
 * selection that leaves no op says where the ops are.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectionOptions } from '../src/cli/selection-flags.js';
import { type ImportOptions, loadTrace } from '../src/import/index.js';
import { secondsText } from '../src/import/selection-time.js';
import { cli, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-csvabs-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

// MSR Cambridge (FILETIME ticks of 100 ns): the first row is 1172163600.3061629 s since 1970, the
// second 1 µs later, the third 2.332 s later
const MSR = file('msr.csv', [
  '128166372003061629,hm,1,Read,3218248704,65536,3052',
  '128166372003061639,hm,1,Write,3218249704,65536,3052',
  '128166372026381629,hm,1,Read,3218250704,65536,3052',
  '',
].join('\n'));
// Alibaba (µs since 1970): 1577808000 s, 1 µs later, 1.5 s later
const ALIBABA = file('alibaba.csv', '3,R,0,4096,1577808000000000\n3,W,4096,4096,1577808000000001\n3,R,8192,4096,1577808001500000\n');
// SYSTOR (seconds since 1970, fractional, a header): 1487955651.234567 s, 1 µs later, 1.265433 s later
const SYSTOR = file('systor.csv', 'Timestamp,Response,IOType,LUN,Offset,Size\n1487955651.234567,0.0001,R,1,0,4096\n1487955651.234568,0.0001,W,1,4096,4096\n1487955652.5,0.0001,R,1,8192,4096\n');

/** the lines of the ops kept by an import of `path` with these --from/--to (as the CLI's flags give them) */
async function kept(path: string, preset: string, flags: { from?: string; to?: string; file?: string[] }, more: ImportOptions = {}): Promise<{ lines: number[]; notes: string[] }> {
  const r = await loadTrace(path, { format: 'csv', csvPreset: preset, ...selectionOptions(flags), ...more });
  return { lines: r.ops.map((o) => o.line), notes: r.summary.notes };
}

const timeNote = (notes: string[]): string | undefined => notes.find((n) => n.startsWith('the time selection left no op'));

describe('an epoch CSV: --from/--to from 2^53 ns on are seconds since 1970', () => {
  it('MSR (FILETIME): an absolute time selects as the same time after the first row does', async () => {
    expect((await kept(MSR, 'msr', { from: '1172163600.3061639' })).lines).toEqual([2, 3]);
    expect((await kept(MSR, 'msr', { from: '0.000001' })).lines).toEqual([2, 3]);
    expect((await kept(MSR, 'msr', { from: '1172163601', to: '1172163603' })).lines).toEqual([3]);
    expect((await kept(MSR, 'msr', { to: '1172163600.3061629' })).lines).toEqual([1]);
    // relative values keep their meaning
    expect((await kept(MSR, 'msr', { from: '2.332' })).lines).toEqual([3]);
    expect((await kept(MSR, 'msr', { to: '0.000001' })).lines).toEqual([1, 2]);
  });

  it('rows read from their bytes count from the first row too, when the first row with a time made no op', async () => {
    // (the first row's time sets the clock's origin, its range is bad: the rows after it are read
    // from their bytes, and the first op among them must still tell the selection the origin)
    const path = file('alibaba-bad-first.csv', '3,R,9007199254740993,4096,1577808000000000\n3,W,4096,4096,1577808000000001\n3,R,8192,4096,1577808001500000\n');
    expect((await kept(path, 'alibaba', { from: '1577808001' }, { lenient: true })).lines).toEqual([3]);
    expect((await kept(path, 'alibaba', { from: '1' }, { lenient: true })).lines).toEqual([3]);
  });

  it('MSR: the reported case (a time copied from the CSV) now selects the ops after it', async () => {
    const r = cli(['import', MSR, '--preset', 'msr', '--from', '1172163602', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { ops: { total: number }; lines: { skipped: Record<string, number> }; notes: string[] };
    expect(s.ops.total).toBe(1);
    expect(s.lines.skipped['filtered-time']).toBe(2);
    expect(timeNote(s.notes)).toBeUndefined();
  });

  it('exact to the ns at the boundary: an op at --from or --to is kept, one 1 ns outside is not', async () => {
    // MSR: the second row at 1172163600.306163900 s
    expect((await kept(MSR, 'msr', { from: '1172163600.3061639' })).lines).toEqual([2, 3]);
    expect((await kept(MSR, 'msr', { from: '1172163600.306163901' })).lines).toEqual([3]);
    expect((await kept(MSR, 'msr', { to: '1172163600.3061639' })).lines).toEqual([1, 2]);
    expect((await kept(MSR, 'msr', { to: '1172163600.306163899' })).lines).toEqual([1]);
    // Alibaba: the second row at 1577808000.000001000 s
    expect((await kept(ALIBABA, 'alibaba', { from: '1577808000.000001' })).lines).toEqual([2, 3]);
    expect((await kept(ALIBABA, 'alibaba', { from: '1577808000.000001001' })).lines).toEqual([3]);
    expect((await kept(ALIBABA, 'alibaba', { to: '1577808000.000001' })).lines).toEqual([1, 2]);
    expect((await kept(ALIBABA, 'alibaba', { to: '1577808000.000000999' })).lines).toEqual([1]);
    // SYSTOR (fractional seconds; its header is line 1): 1487955651.234567 s is ...234567000 ns,
    // not the double's ...234566912: the first row is at --from, kept, and 1 ns after it is not
    expect((await kept(SYSTOR, 'systor', { from: '1487955651.234567' })).lines).toEqual([2, 3, 4]);
    expect((await kept(SYSTOR, 'systor', { from: '1487955651.234567001' })).lines).toEqual([3, 4]);
    expect((await kept(SYSTOR, 'systor', { from: '1487955651.234568' })).lines).toEqual([3, 4]);
    expect((await kept(SYSTOR, 'systor', { to: '1487955651.234567999' })).lines).toEqual([2]);
    expect((await kept(SYSTOR, 'systor', { to: '1487955652.5' })).lines).toEqual([2, 3, 4]);
    expect((await kept(SYSTOR, 'systor', { to: '1487955652.499999999' })).lines).toEqual([2, 3]);
  });

  it('Alibaba and SYSTOR: relative values (seconds after the first row) keep their meaning', async () => {
    expect((await kept(ALIBABA, 'alibaba', { from: '0.000001', to: '1' })).lines).toEqual([2]);
    expect((await kept(ALIBABA, 'alibaba', { from: '1.5' })).lines).toEqual([3]);
    expect((await kept(SYSTOR, 'systor', { from: '0.000001' })).lines).toEqual([3, 4]);
    expect((await kept(SYSTOR, 'systor', { from: '1.265433' })).lines).toEqual([4]);
    expect((await kept(SYSTOR, 'systor', { from: '1.265434' })).lines).toEqual([]);
  });

  it('the threshold: 9007199.254740991 s is after the first row, 9007199.254740992 s since 1970', async () => {
    const under = await kept(MSR, 'msr', { from: '9007199.254740991' });
    expect(under.lines).toEqual([]);
    expect(timeNote(under.notes)).toMatch(/^the time selection left no op: --from 9007199\.254740991 is after the trace's last op \(2\.332 s after the first row\)/);
    // (1970-04-15: before the first row, so it keeps every op, as a relative value below 0 would)
    expect((await kept(MSR, 'msr', { from: '9007199.254740992' })).lines).toEqual([1, 2, 3]);
    expect((await kept(MSR, 'msr', { to: '9007199.254740992' })).lines).toEqual([]);
    expect((await kept(MSR, 'msr', { to: '9007199.254740991' })).lines).toEqual([1, 2, 3]);
    expect(secondsText(1n << 53n)).toBe('9007199.254740992');
  });

  it('an absolute time before the first row: --from keeps every op, --to none', async () => {
    expect((await kept(ALIBABA, 'alibaba', { from: '1000000000' })).lines).toEqual([1, 2, 3]);
    const none = await kept(ALIBABA, 'alibaba', { to: '1577807999.999999999' });
    expect(none.lines).toEqual([]);
    expect(timeNote(none.notes)).toMatch(/--to 1577807999\.999999999 is before the trace's first op \(0 s after the first row\); the trace's ops run from 0 to 1\.5 s after the first row \(1577808000 to 1577808001\.5 s since 1970\)/);
  });

  it('+S counts from the first row whatever its size', async () => {
    expect((await kept(MSR, 'msr', { from: '+0.000001' })).lines).toEqual([2, 3]);
    const huge = await kept(MSR, 'msr', { from: '+1172163600.3061639' });
    expect(huge.lines).toEqual([]);
    expect(timeNote(huge.notes)).toBe('the time selection left no op: --from +1172163600.3061639 is after the trace\'s last op (+2.332 s); the trace\'s ops run from +0 to +2.332 s');
  });

  it('a --from since 1970 after a --to after the first row is refused, saying how each is read (exit 2)', () => {
    const r = cli(['import', MSR, '--preset', 'msr', '--from', '1172163600', '--to', '30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from 1172163600 is after --to 30: the window holds no instant \(on a CSV trace with epoch times, a value from 9007199\.254740992 on is seconds since 1970, a smaller one seconds after the first row\)/);
    // both after the first row, or both since 1970: as before
    expect(cli(['import', MSR, '--preset', 'msr', '--from', '31', '--to', '30']).stderr).toMatch(/the window holds no instant\n/);
  });
});

describe('a time selection that leaves no op says why', () => {
  it('the reported case: exit 0, every line filtered-time, and a note naming the trace\'s span in both units', () => {
    const r = cli(['import', MSR, '--preset', 'msr', '--from', '1172163620']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ops: 0 over 2\.332 s/);
    expect(r.stdout).toMatch(/skipped filtered-time: 3/);
    expect(r.stdout).toContain('note: the time selection left no op: --from 1172163620 is after the trace\'s last op (2.332 s after the first row); the trace\'s ops run from 0 to 2.332 s after the first row (1172163600.3061629 to 1172163602.6381629 s since 1970); on this trace --from and --to take seconds after the first row, or seconds since 1970 from 9007199.254740992 on\n');
  });

  it('replay: its warning of no ops to replay repeats the note (and, when --file left none, names --file as before)', () => {
    const r = cli(['replay', MSR, '--preset', 'msr', '--from', '1172163620', '--strategy', 'none', '--cpus', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr + r.stdout).toContain('warning: the trace has no ops to replay: the time selection left no op: --from 1172163620 is after the trace\'s last op (2.332 s after the first row)');
    const f = cli(['replay', MSR, '--preset', 'msr', '--file', 'vol:9', '--strategy', 'none', '--cpus', '1']);
    expect(f.stderr + f.stdout).toContain('warning: the trace has no ops to replay (check --file / --task, or the events the trace was captured with)');
  });

  it('a window between two ops, and the ops --file keeps', async () => {
    const between = await kept(SYSTOR, 'systor', { from: '0.5', to: '1' });
    expect(between.lines).toEqual([]);
    expect(timeNote(between.notes)).toMatch(/^the time selection left no op: no op lies between --from 0\.5 and --to 1; the trace's ops run from 0 to 1\.265433 s after the first row \(1487955651\.234567 to 1487955652\.5 s since 1970\)/);
    const narrowed = await kept(MSR, 'msr', { from: '3', file: ['vol:1'] });
    expect(timeNote(narrowed.notes)).toMatch(/--from 3 is after the last op --file\/--task keep \(2\.332 s after the first row\); the ops --file\/--task keep run from 0 to 2\.332 s/);
  });

  it('no note when an op is left, nor when --file (not the time) left none', async () => {
    for (const flags of [{ from: '2' }, { to: '0' }, { from: '1172163602.6381629' }, {}]) {
      const r = await kept(MSR, 'msr', flags);
      expect(r.lines.length).toBeGreaterThan(0);
      expect(timeNote(r.notes)).toBeUndefined();
    }
    const noFile = await kept(MSR, 'msr', { from: '5', file: ['vol:9'] });
    expect(noFile.lines).toEqual([]);
    expect(timeNote(noFile.notes)).toBeUndefined();
  });
});

describe('other traces: unchanged, a huge --from keeps its meaning', () => {
  // times in seconds below 2^53 ns: they keep their values (no epoch)
  const PLAIN = file('plain.csv', '9007100,R,0,8\n9007190.5,W,8,8\n');
  const COLS = { format: 'csv' as const, csvMapping: { columns: { ts: 0, op: 1, offset: 2, length: 3 }, tsUnit: 's' as const, offsetUnit: 'bytes' as const, lengthUnit: 'bytes' as const, readValues: ['R'], writeValues: ['W'], delimiter: ',', header: false } };
  const plain = async (flags: { from?: string; to?: string }): Promise<{ lines: number[]; notes: string[] }> => {
    const r = await loadTrace(PLAIN, { ...COLS, ...selectionOptions(flags) });
    return { lines: r.ops.map((o) => o.line), notes: r.summary.notes };
  };

  it('a CSV whose times are no epoch times: values are its own times, whatever their size', async () => {
    expect((await plain({ from: '9007150' })).lines).toEqual([2]);
    expect((await plain({ to: '9007199.254740992' })).lines).toEqual([1, 2]);
    const none = await plain({ from: '9007199.254740992' });
    expect(none.lines).toEqual([]);
    expect(timeNote(none.notes)).toBe('the time selection left no op: --from 9007199.254740992 is after the trace\'s last op (9007190.5 s); the trace\'s ops run from 9007100 to 9007190.5 s');
    const huge = await plain({ from: '1172163620' });
    expect(huge.lines).toEqual([]);
    expect(timeNote(huge.notes)).not.toMatch(/since 1970/);
  });

  it('ftrace: a huge --from keeps no op, and says where the ops are in trace-clock seconds', async () => {
    const r = await loadTrace(trace('xfs-dio-blk-tracer.trace.gz'), selectionOptions({ from: '1172163620' }));
    expect(r.ops.length).toBe(0);
    expect(r.summary.lines.skipped['filtered-time']).toBeGreaterThan(0);
    expect(timeNote(r.summary.notes)).toBe('the time selection left no op: --from 1172163620 is after the trace\'s last op (398.108488 s); the trace\'s ops run from 397.108559 to 398.108488 s');
    const some = await loadTrace(trace('xfs-dio-blk-tracer.trace.gz'), selectionOptions({ from: '397.6' }));
    expect(some.ops.length).toBeGreaterThan(0);
    expect(some.ops.every((o) => o.tsNs >= 397_600_000_000)).toBe(true);
    expect(timeNote(some.summary.notes)).toBeUndefined();
  });
});
