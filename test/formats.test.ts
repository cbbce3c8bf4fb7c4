import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { cli, FIXTURES, trace } from './helpers.js';
import { strategyNames } from '../src/strategies/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-formats-'));
const pub = (p: string) => join(FIXTURES, 'public', p);
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}
const kinds = async (path: string, opts = {}) => {
  const r = await loadTrace(path, opts);
  const l = r.summary.lines;
  expect(l.used + Object.values(l.skipped).reduce((a, b) => a + b, 0) + l.bad).toBe(l.total);
  return { byKind: r.summary.ops.byKind, r };
};

describe('import counts for every format', () => {
  it('blkparse: blktrace_viewer sample, 963 reads (auto-detected), and blkparse\'s own summary agrees', async () => {
    const { byKind, r } = await kinds(pub('blktrace_viewer/sample.blkparse.txt.gz'));
    expect(r.summary.format).toBe('blkparse');
    expect(byKind).toEqual({ read: 963 });
    expect(r.summary.lines.total).toBe(6753);
    expect(r.summary.notes.join('\n')).toMatch(/963 reads and 0 writes queued; imported 963 reads and 0 writes \(they agree\)/);
    const op = r.ops[0];
    expect(op).toMatchObject({ file: 'blk:259:0', kind: 'read', offset: 2348060440 * 512, lengthBytes: 8 * 512, pid: 21279 });
    expect(op.durNs).toBeGreaterThan(0);
  });

  it('blkparse: the recorded loop0 capture, 400 reads and 400 writes', async () => {
    const { byKind } = await kinds(trace('loop0-dio-randrw.blkparse.txt.gz'));
    expect(byKind).toEqual({ read: 400, write: 400 });
  });

  it('ftrace blk tracer: xfs-dio-blk-tracer, 501 reads and 500 writes', async () => {
    const { byKind, r } = await kinds(trace('xfs-dio-blk-tracer.trace.gz'));
    expect(r.summary.format).toBe('ftrace');
    expect(byKind).toEqual({ read: 501, write: 500 });
    expect(r.ops.every((o) => o.file === 'blk:7:0' && o.comm === 'fio')).toBe(true);
  });

  it('CSV cloudphysics preset (auto-detected from its header): 46,974 reads and 66,898 writes', async () => {
    const { byKind, r } = await kinds(pub('libcachesim/cloudPhysicsIO.csv.gz'));
    expect(r.summary.format).toBe('csv');
    expect(byKind).toEqual({ read: 46974, write: 66898 });
    expect(r.summary.formatDetail).toMatch(/preset cloudphysics: .*time in s; offset in sectors, length in bytes; read = 28/);
  });

  it('DiskSim/MQSim: tpcc-small, 4,381 reads and 2,618 writes (0 = write)', async () => {
    const { byKind, r } = await kinds(pub('mqsim/tpcc-small.trace.gz'));
    expect(byKind).toEqual({ read: 4381, write: 2618 });
    expect(r.ops[0]).toMatchObject({ tsNs: 938513000, file: 'vol:4', offset: 264719034 * 512, lengthBytes: 16 * 512, kind: 'write' });
  });

  it('fio iolog v3: t0038, 10 writes and 10 trims (as punches)', async () => {
    const { byKind, r } = await kinds(pub('fio/t0038.iolog'));
    expect(r.summary.format).toBe('fio-iolog');
    expect(byKind).toEqual({ punch: 10, write: 10 });
    expect(r.ops[0]).toMatchObject({ tsNs: 10736000, kind: 'punch', offset: 0, lengthBytes: 2147483648, file: 'file:/dev/null' });
  });

  it('fio iolog v2 with wait', async () => {
    const p = file('v2.iolog', 'fio version 2 iolog\n/tmp/f add\n/tmp/f open\n/tmp/f write 0 4096\n/tmp/f wait 500\n/tmp/f read 4096 4096\n/tmp/f sync\n/tmp/f close\n');
    const { byKind, r } = await kinds(p);
    expect(byKind).toEqual({ fsync: 1, read: 1, write: 1 });
    expect(r.ops.map((o) => o.tsNs)).toEqual([0, 500_000, 500_000]);
  });

  it('trappy trace_filesystem (trace-cmd 2.x, no header): its ext4/f2fs writes and fsyncs', async () => {
    const { byKind, r } = await kinds(pub('trappy/trace_filesystem.txt'));
    // 4 ext4 + 5 f2fs fsyncs; write_begin chunks of one write (page-contiguous) are one op
    expect(byKind).toEqual({ fsync: 9, write: 22 });
    expect(r.summary.ops.byFile['7:0:121']).toEqual({ write: 2 }); // f2fs: dev = (7,0), ino = 121
    expect(r.summary.ops.byFile['7:0:8']).toEqual({ fsync: 5, write: 5 });
    expect(r.summary.ops.byFile['8:13:5898483']).toMatchObject({ fsync: 1 });
  });

  it('trappy headers, unsorted lines and [FAILED TO PARSE] bodies import with full accounting', async () => {
    for (const f of ['raw_trace.txt', 'trace_idle_unsorted.txt', 'trace_sched.txt', 'trace_failed_to_parse.txt']) {
      const { r } = await kinds(pub(`trappy/${f}`));
      expect(r.summary.lines.bad).toBe(0);
    }
    expect((await kinds(pub('trappy/raw_trace.txt'))).r.summary).toMatchObject({ format: 'trace-cmd', cpus: 6 });
    expect((await kinds(pub('trappy/trace_failed_to_parse.txt'))).r.summary.lines.skipped['failed-to-parse']).toBe(3);
  });

  it('trace-cmd 3.x: latency flags, padded names, sys_enter_/sys_exit_ bodies, file prefixes, out-of-order lines', async () => {
    const text = [
      'cpus=2',
      'trace.dat:              fio-7  [001] ..... 100.000010: sys_enter_pwrite64:   fd: 0x00000003, buf: 0x7f0000000000, count: 0x00001000, pos: 0x00002000',
      'trace.dat:              fio-7  [001] ..... 100.000012: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x1000000 pos 0x2000 bytecount 0x1000',
      'trace.dat:              fio-8  [000] ..... 100.000011: sys_enter_fallocate:  fd: 0x00000004, mode: 0x00000003, offset: 0x00000000, len: 0x00004000',
      'trace.dat:              fio-7  [001] ..... 100.000020: sys_exit_pwrite64:    0x1000',
      'trace.dat:              fio-8  [000] ..... 100.000013: xfs_free_file_space:  dev 7:0 ino 0x85 iflags 0x0',
      'trace.dat:              fio-8  [000] ..... 100.000030: sys_exit_fallocate:   0x0',
      'trace.dat:              fio-8  [000] ..... 100.000031: thermal_power:        [FAILED TO PARSE] x=1',
    ].join('\n');
    const { byKind, r } = await kinds(file('tc3.txt', `${text}\n`));
    expect(r.summary.format).toBe('trace-cmd');
    expect(r.summary.cpus).toBe(2);
    expect(byKind).toEqual({ punch: 1, write: 1 });
    expect(r.ops.map((o) => [o.comm, o.kind, o.offset, o.lengthBytes, o.durNs])).toEqual([['fio', 'write', 0x2000, 0x1000, 10_000], ['fio', 'punch', 0, 0x4000, 19_000]]);
    expect(r.summary.notes.join(' ')).toMatch(/came out of time order/);
  });
});

describe('bad rows name file:line in every format', () => {
  const bad = (name: string, text: string, args: string[] = []) => cli(['import', file(name, text), ...args]);
  it('blkparse', () => {
    const r = bad('b.txt', '  7,0    1        1     0.000000000 14364  Q  RS 133248 + 8 [fio]\n  7,0    1        2 garbage\n', ['--format', 'blkparse']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/b\.txt:2: not a blkparse line/);
  });
  it('csv preset and generic mapping', () => {
    const r = bad('a.csv', '0,R,0,4096,1577808000000626\n0,R,4096,4096,1577808000000700\n0,Q,8192,4096,1577808000000800\n');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/a\.csv:3: op column 1 is "Q"/);
    const g = bad('g.csv', 'ts,op,off,len\n10,R,0,8\n11,W,x,8\n', ['--columns', 'ts=0,op=1,offset=2,length=3', '--header', '--ts-unit', 'ms', '--offset-unit', 'sectors', '--read-values', 'R', '--write-values', 'W']);
    expect(g.code).toBe(4);
    expect(g.stderr).toMatch(/g\.csv:3: row needs numbers/);
    const ok = bad('g2.csv', 'ts,op,off,len\n10,R,0,8\n11,W,8,8\n', ['--columns', 'ts=0,op=1,offset=2,length=3', '--header', '--ts-unit', 'ms', '--offset-unit', 'sectors', '--read-values', 'R', '--write-values', 'W', '--json']);
    expect(ok.code).toBe(0);
    const s = JSON.parse(ok.stdout);
    expect(s.ops.byKind).toEqual({ read: 1, write: 1 });
    expect(s.formatDetail).toMatch(/time in ms; offset in sectors, length in sectors; read = R, write = W/);
  });
  it('tencent, msr and alibaba presets with rows the tests build', async () => {
    const t = await kinds(file('t.csv', '1538323199,105352008,584,1,1576\n1538323200,2048,8,0,1576\n'));
    expect(t.r.summary.formatDetail).toMatch(/preset tencent/);
    expect(t.r.ops.map((o) => [o.kind, o.offset, o.lengthBytes, o.tsNs])).toEqual([['write', 105352008 * 512, 584 * 512, 0], ['read', 2048 * 512, 8 * 512, 1e9]]);
    const m = await kinds(file('m.csv', '128166372003061629,hm,1,Read,383496192,32768,41286\n128166372016382155,hm,1,Write,3609632768,4096,1745\n'));
    expect(m.r.ops[0]).toMatchObject({ kind: 'read', offset: 383496192, lengthBytes: 32768, durNs: 4128600, tsNs: 0 });
    expect(m.r.ops[1].tsNs).toBe(Number((128166372016382155n - 128166372003061629n) * 100n));
    const a = await kinds(file('al.csv', '0,R,126703644672,4096,1577808000000626\n'));
    // (epoch times count from the first row's: csv-clock.ts)
    expect(a.r.ops[0]).toMatchObject({ kind: 'read', tsNs: 0, file: 'vol:0' });
    expect(a.r.summary.notes.join(' ')).toContain('CSV times (us) count from the first row\'s (1577808000000626 us, 2019-12-31T16:00:00.000Z)');
    const s = await kinds(file('s.csv', 'Timestamp,Response,IOType,LUN,Offset,Size\n1.000000000,0.000250,R,3,8192,4096\n'));
    expect(s.r.ops[0]).toMatchObject({ kind: 'read', durNs: 250000, file: 'vol:3' });
  });
  it('fio iolog', () => {
    const r = bad('f.iolog', 'fio version 3 iolog\n10 /tmp/f write 0 4096\n20 /tmp/f wait 5\n');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/f\.iolog:3: "wait" is not allowed in a v3 iolog/);
  });
  it('trace-cmd', () => {
    const r = bad('tc.txt', 'cpus=1\n     fio-7  [000]   1.000001: sys_enter_pwrite64: fd: 0x3, buf: 0x0, count: 0x1000, pos: 0x0\n!!!!\n');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/tc\.txt:3: /);
  });
  it('auto says when it is unsure, naming candidates', () => {
    const r = bad('u.csv', '1,2,Q,3\n4,5,Q,6\n');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/Candidates: CSV with 4 columns \(choose --format csv with --preset/);
  });
});

describe('every format replays through compare', () => {
  it.each([
    ['blkparse', pub('blktrace_viewer/sample.blkparse.txt.gz')],
    ['blk tracer', trace('xfs-dio-blk-tracer.trace.gz')],
    ['csv', pub('mqsim/tpcc-small.trace.gz')],
    ['fio iolog', pub('fio/t0038.iolog')],
    ['trace-cmd', pub('trappy/trace_filesystem.txt')],
  ])('%s', (_name, path) => {
    const r = cli(['compare', path, '--all', '--json', '--cpus', '2']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.results).toHaveLength(strategyNames().length);
    for (const s of j.results) {
      expect(s.completedOps).toBe(j.input.ops);
      expect(s.deadlock).toBeNull();
    }
  });
});
