/**
 * What `import --out` writes, its own op-stream reader reads (fuzz campaign 19, D2): a trace
 * header's CPU count above 65,536 (the most a footer holds) is ignored with a note, as #P:0 is, and
 * the lost-events sum is exact in the note and bounded in the footer.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-roundtrip-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const EVENTS = [
  '             fio-1123    [001] .....  2313.781152: sys_pwrite64(fd: 7, buf: 0x557925e42610, count: 0x1000, pos: 0x52d000)',
  '             fio-1123    [001] .....  2313.781157: sys_pwrite64 -> 0x1000',
];
const ftrace = (cpus: string, extra: string[] = []) => ['# tracer: nop', '#', `# entries-in-buffer/entries-written: 2/2   #P:${cpus}`, '#', ...extra, ...EVENTS, ''].join('\n');
const traceCmd = (cpus: string) => [`cpus=${cpus}`,
  '             fio-1123  [001]  2313.781152: sys_enter_pwrite64:   fd: 0x00000007, buf: 0x557925e42610, count: 0x00001000, pos: 0x52d000',
  '             fio-1123  [001]  2313.781157: sys_exit_pwrite64:    0x1000', ''].join('\n');

/** import TRACE --out OPS, then import OPS: both succeed, and give the same CPUs and lost events */
function roundTrip(name: string, text: string): { first: Record<string, unknown>; again: Record<string, unknown> } {
  const p = file(name, text);
  const ops = join(tmp, `${name}.ops.csv`);
  const a = cli(['import', p, '--out', ops, '--json']);
  expect(a.stderr).toBe('');
  expect(a.code).toBe(0);
  const b = cli(['import', ops, '--json']);
  expect(b.stderr).toBe('');
  expect(b.code).toBe(0);
  const r = cli(['replay', ops, '--strategy', 'none', '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(readFileSync(ops, 'utf8')).toMatch(/^# summary: /m);
  return { first: JSON.parse(a.stdout), again: JSON.parse(b.stdout) };
}

describe('import --out, then import of the op stream', () => {
  it('#P:65537 and cpus=65537 are ignored with a note (the footer holds at most 65,536), #P:65536 is kept', () => {
    for (const [name, text, shown] of [['p.trace', ftrace('65537'), '#P:65537'], ['tc.txt', traceCmd('65537'), 'cpus=65537'], ['big.trace', ftrace('99999999999999999999'), '#P:99999999999999999999']] as const) {
      const { first, again } = roundTrip(name, text);
      expect(first.cpus).toBeUndefined();
      expect(again.cpus).toBeUndefined();
      expect((first.notes as string[]).join('\n')).toMatch(new RegExp(`names ${shown.split(/[:=]/)[1]} CPUs \\(${shown}, line \\d+\\): ignored \\(a replay models 1 to 65,536\\)`));
    }
    const { first, again } = roundTrip('max.trace', ftrace('65536'));
    expect(first.cpus).toBe(65536);
    expect(again.cpus).toBe(65536);
  });

  it('lost events past 2^53: the note gives the exact sum, the footer the bound, and it reads back', () => {
    for (const [markers, sum] of [[['CPU:1 [LOST 9007199254740993 EVENTS]'], '9007199254740993'], [['CPU:1 [LOST 99999999999999999999 EVENTS]', 'CPU:0 [LOST 1 EVENTS]'], '100000000000000000000'], [['CPU:1 [LOST 9007199254740991 EVENTS]', 'CPU:0 [LOST 2 EVENTS]'], '9007199254740993']] as const) {
      const { first, again } = roundTrip(`lost-${sum}.trace`, ftrace('2', [...markers]));
      expect(first.lostEvents).toBe(Number.MAX_SAFE_INTEGER);
      expect(again.lostEvents).toBe(Number.MAX_SAFE_INTEGER);
      expect((first.notes as string[]).join('\n')).toContain(`${sum} events were lost by the kernel ring buffer`);
    }
    const { first, again } = roundTrip('lost-small.trace', ftrace('2', ['CPU:1 [LOST 7 EVENTS]', 'CPU:0 [LOST 5 EVENTS]']));
    expect(first.lostEvents).toBe(12);
    expect(again.lostEvents).toBe(12);
  });
});

describe('a timestamp of 2^63-1 ns', () => {
  it('is refused with a message that says why (it was "beyond 2^63", against the README\'s "below 2^63")', () => {
    const p = file('max-ts.trace', ['# tracer: nop', '             fio-1123    [001] .....  9223372036.854775807: sys_pwrite64(fd: 7, buf: 0x1, count: 0x1000, pos: 0x0)', ''].join('\n'));
    const r = cli(['import', p]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('max-ts.trace:2: ');
    expect(r.stderr).toContain('is not below 2^63 ns (times are kept as doubles: one from about 2^63-512 ns on, 2^63-1 included, is 2^63)');
  });
});
