/**
 * Five reliability and fidelity defects left from earlier reviews:
 *
 * 1. a `# lockreplay fd|bdi|btrfs|mount:` line not in its layout was counted as an ordinary
 *    comment, its mapping lost without a word: now a bad line;
 * 2. a `contention_begin` / `contention_end` body cut short ("(flags=WRITE" without its
 *    parenthesis) was accepted: now a bad line;
 * 3. a btrfs filesystem id that the header maps to one device and the events tie to another split
 *    one file into two keys without a word: now the import summary says which id, which devices,
 *    which lines, and which keys were kept apart;
 * 4. a run stopped at a deadlock counted the waits that never ended as contentions with no wait
 *    time: now each counts its wait up to the stop;
 * 5. the exit codes of `report`, `check` and `merge` for result files that cannot be read or are
 *    not results: each command's, as the README's table now states them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { FileIdentity } from '../src/import/file-identity.js';
import type { ReplayResult } from '../src/model/result.js';
import { cli, fioLine, loadAccounted, writeLines } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-leftovers-33-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = ['# tracer: nop', '# entries-in-buffer/entries-written: 0/0   #P:2'];
/** a wait of task 1065 on a lock, begun and ended */
const WAIT = [
  '             fio-1065    [001] .....  2308.542416: contention_begin: 000000008abe1a57 (flags=WRITE)',
  '             fio-1065    [001] .....  2308.542462: contention_end: 000000008abe1a57 (ret=0)',
];

/** the strict import's error message (every bad line here stops a strict import) */
async function strictError(path: string): Promise<string> {
  try {
    await loadTrace(path);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('1: a `# lockreplay` identity line not in its layout is a bad line', () => {
  const cases: [string, string, RegExp][] = [
    ['a cut filesystem id', '# lockreplay btrfs: 0612ed0f-22de-4daa-a594-f9b092f6 0:40', /:3: not in the layout "# lockreplay btrfs: FSID MAJ:MIN": FSID "0612ed0f-22de-4daa-a594-f9b092f6" is not a UUID/],
    ['a btrfs line without its device', '# lockreplay btrfs: 0612ed0f-22de-4daa-a594-f9b092f66faf', /:3: not in the layout "# lockreplay btrfs: FSID MAJ:MIN": 1 field, no MAJ:MIN/],
    ['a bdi line without its device', '# lockreplay bdi: btrfs-1', /:3: not in the layout "# lockreplay bdi: NAME MAJ:MIN": 1 field, no MAJ:MIN/],
    ['a bdi device with letters', '# lockreplay bdi: btrfs-1 0:4o', /:3: .*MAJ:MIN "0:4o" is not two numbers/],
    ['letters in an fd line\'s tgid', '# lockreplay fd: 10x5 3 254:0:2171975', /:3: not in the layout "# lockreplay fd: TGID FD MAJ:MIN:INO": TGID "10x5" is not a number/],
    ['an fd line\'s file without its inode', '# lockreplay fd: 1065 3 254:0', /:3: .*MAJ:MIN:INO "254:0" is not three numbers/],
    ['an fd line with a field too many', '# lockreplay fd: 1065 3 254:0:7 9', /:3: .*4 fields, 3 expected/],
    ['letters in a mount\'s device', '# lockreplay mount: 0:3x btrfs /mnt', /:3: not in the layout "# lockreplay mount: MAJ:MIN FSTYPE MOUNTPOINT": MAJ:MIN "0:3x" is not two numbers/],
    ['a mount without its mount point', '# lockreplay mount: 7:0 xfs', /:3: .*2 fields, no MOUNTPOINT/],
    ['an empty mount line', '# lockreplay mount:', /:3: .*0 fields, no MAJ:MIN/],
  ];

  it.each(cases)('%s: strict, an error naming the file, the line and what is wrong; --lenient, a bad line', async (_what, bad, message) => {
    const path = writeLines(dir, 'identity.trace', [...HEAD, bad, ...WAIT]);
    expect(await strictError(path)).toMatch(new RegExp(`identity\\.trace${message.source}`));
    const r = await loadAccounted(path, { lenient: true });
    expect(r.summary.lines.bad).toBe(1);
    expect(r.summary.lines.skipped['file-identity-comment']).toBeUndefined();
    expect(r.summary.lines.skipped['header-comment']).toBe(2);
  });

  it('the same lines written into the ring buffer (trace_marker) are bad lines too; well-formed ones still map', async () => {
    const marker = (us: number, text: string) => `             fio-1065    [001] .....  2308.5424${us}: tracing_mark_write: ${text}`;
    const path = writeLines(dir, 'marker.trace', [...HEAD, marker(10, 'lockreplay fd: 1065 3x 254:0:9'), marker(11, 'lockreplay fd: 1065 4 254:0:9'), ...WAIT]);
    expect(await strictError(path)).toMatch(/marker\.trace:3: .*FD "3x" is not a number/);
    const r = await loadAccounted(path, { lenient: true });
    expect([r.summary.lines.bad, r.summary.lines.skipped['file-identity-comment']]).toEqual([1, 1]);
  });

  it('the well-formed lines, and other `# lockreplay` comments, import as before', async () => {
    const path = writeLines(dir, 'good-identity.trace', [
      ...HEAD,
      '# lockreplay record: 77 events; trace_pipe stream',
      '# lockreplay mount: 7:0 xfs /mnt/scratch-xfs',
      '# lockreplay mount: 0:39 btrfs /mnt/with\\040space',
      '# lockreplay bdi: btrfs-1 0:39',
      '# lockreplay btrfs: 0612ED0F-22de-4daa-a594-f9b092f66faf 0:39',
      '# lockreplay fd: 1065 3 254:0:2171975',
      // an earlier recorder's btrfs line (with the subvolume's id: bundled captures have it), read as it always was
      '# lockreplay btrfs: 0612ed0f-22de-4daa-a594-f9b092f66faf 5 0:40',
      '# lockreplay something-else: 1 2 3',
      ...WAIT,
    ]);
    const r = await loadAccounted(path);
    expect(r.summary.lines.bad).toBe(0);
    expect(r.summary.lines.skipped['file-identity-comment']).toBe(5);
    expect(r.summary.lines.skipped['header-comment']).toBe(5);
  });
});

describe('2: a contention event whose body is cut short or malformed is a bad line', () => {
  const begin = (us: number, body: string) => `             fio-1065    [001] .....  2308.5424${us}: contention_begin: ${body}`;
  const end = (us: number, body: string) => `             fio-1065    [001] .....  2308.5424${us}: contention_end: ${body}`;

  it.each([
    ['flags without their closing parenthesis', begin(10, '000000008abe1a57 (flags=WRITE'), /:3: contention_begin: the body is not "ADDRESS \(flags=FLAGS\)" \(its parenthesis is not closed: a line cut short\?\)/],
    ['no flags', begin(10, '000000008abe1a57'), /:3: contention_begin: the body is not "ADDRESS \(flags=FLAGS\)"$/m],
    ['an empty body', begin(10, ''), /:3: contention_begin: the body is not/],
    ['an end cut inside its ret', end(10, '000000008abe1a57 (ret=0'), /:3: contention_end: the body is not "ADDRESS \(ret=N\)" \(its parenthesis is not closed/],
    ['an end without ret', end(10, '000000008abe1a57'), /:3: contention_end: the body is not "ADDRESS \(ret=N\)"/],
    ['an end whose ret is no number', end(10, '000000008abe1a57 (ret=x)'), /:3: contention_end: the body is not/],
  ])('%s', async (_what, bad, message) => {
    const path = writeLines(dir, 'contention.trace', [...HEAD, bad, ...WAIT]);
    expect(await strictError(path)).toMatch(new RegExp(`contention\\.trace${message.source}`, message.flags));
    const r = await loadAccounted(path, { lenient: true });
    expect(r.summary.lines.bad).toBe(1);
    // the whole wait after it is still read
    expect(r.summary.lines.skipped['contention-end-without-begin']).toBeUndefined();
    expect(r.summary.lines.skipped['contention-unfinished']).toBeUndefined();
  });

  it('a begin cut short does not open a wait: its end is an end without a begin', async () => {
    const path = writeLines(dir, 'cut-begin.trace', [...HEAD, begin(10, '000000008abe1a57 (flags=WRITE'), end(20, '000000008abe1a57 (ret=0)')]);
    const r = await loadAccounted(path, { lenient: true });
    expect([r.summary.lines.bad, r.summary.lines.skipped['contention-end-without-begin']]).toEqual([1, 1]);
  });

  it('the kernel\'s layouts are read as before: flags joined by |, unknown bits in hex, a negative ret', async () => {
    const path = writeLines(dir, 'contention-good.trace', [
      ...HEAD,
      begin(10, '000000008abe1a57 (flags=SPIN|MUTEX)'), end(11, '000000008abe1a57 (ret=0)'),
      begin(12, 'ffff88810a1b2c30 (flags=WRITE|0x100)'), end(13, 'ffff88810a1b2c30 (ret=-4)'),
    ]);
    const r = await loadAccounted(path);
    expect(r.summary.lines.bad).toBe(0);
    expect(r.summary.observedLocks).toBe(2);
  });
});

describe('3: a btrfs filesystem id the header maps to one device and the events tie to another', () => {
  const A = '0612ed0f-22de-4daa-a594-f9b092f66faf';
  const line = fioLine;
  const lookup = (pid: number, us: number, fsid: string) => line(pid, us, `btrfs_get_extent: ${fsid}: root=5(FS_TREE) ino=300 start=0 len=4096 flags= refs=2`);
  const dioRead = (pid: number, us: number, dev: string, fsid: string) => [
    line(pid, us, 'sys_pread64(fd: 5, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)'),
    line(pid, us + 2, `iomap_dio_rw_begin: dev ${dev} ino 0x12c size 0x200000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags DIO_PARTIAL`),
    lookup(pid, us + 3, fsid),
    line(pid, us + 5, 'sys_pread64 -> 0x1000'),
  ];
  const punch = (pid: number, us: number, fsid: string) => [
    line(pid, us, 'sys_fallocate(fd: 7, mode: 3, offset: 0x0, len: 0x10000)'),
    lookup(pid, us + 1, fsid),
    line(pid, us + 5, 'sys_fallocate -> 0x0'),
  ];

  it('the keys stay apart, and a note says which id, which devices, which lines, and which keys', async () => {
    const path = writeLines(dir, 'btrfs-conflict.trace', [
      '# tracer: nop',
      `# lockreplay btrfs: ${A} 0:40`,
      ...punch(100, 10, A),
      ...dioRead(101, 20, '0:41', A),
      ...dioRead(102, 30, '0:41', A),
    ]);
    const r = await loadAccounted(path);
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['punch', '0:40:300'], ['dio-read', '0:41:300'], ['dio-read', '0:41:300']]);
    const notes = r.summary.notes.filter((n) => n.startsWith('btrfs filesystem'));
    expect(notes).toHaveLength(1);
    // the lookup of line 9 pairs the id with the iomap event's device
    expect(notes[0]).toBe(`btrfs filesystem ${A} is device 0:40 by the header's line 2 but 0:41 by its events (line 8: an extent lookup of inode 300 in a syscall whose other events name 0:41:300); 1 more line said so: the header's device names its files from that line on; 1 inode number has keys on both devices (0:40:300 and 0:41:300), kept apart: each may be one file split in two (which device is right, the trace does not say)`);
    // the lines are accounted for as before, and the import is not refused
    expect(r.summary.lines.bad).toBe(0);
  });

  it('events that tie one id to two devices, without a header: the first pairing names the files, a note says so', async () => {
    const path = writeLines(dir, 'btrfs-two-pairs.trace', ['# tracer: nop', ...dioRead(101, 20, '0:40', A), ...dioRead(102, 30, '0:41', A), ...punch(103, 40, A)]);
    const r = await loadAccounted(path);
    expect(r.ops.map((o) => o.file)).toEqual(['0:40:300', '0:41:300', '0:40:300']);
    const notes = r.summary.notes.filter((n) => n.startsWith('btrfs filesystem'));
    expect(notes).toEqual([expect.stringMatching(new RegExp(`^btrfs filesystem ${A} is device 0:40 by its events \\(line 4\\) but 0:41 by its events \\(line 8: .*\\): the first pairing names its files; 1 inode number has keys on both devices \\(0:40:300 and 0:41:300\\), kept apart`))]);
  });

  it('a header line (in the ring buffer) after the events paired the id with another device: said too', () => {
    const id = new FileIdentity();
    id.pairBtrfs('0:41:300', `${A}:300`, 7);
    expect(id.comment(`# lockreplay btrfs: ${A} 0:40`, 12)).toBe(true);
    expect([...id.btrfsConflicts.values()]).toEqual([{ fsid: A, first: { dev: '0:41', line: 7, by: 'events' }, other: { dev: '0:40', line: 12, by: 'header' }, ino: '', lines: 1 }]);
  });

  it('no note where the header and the events agree, or where nothing pairs', async () => {
    const path = writeLines(dir, 'btrfs-agree.trace', ['# tracer: nop', `# lockreplay btrfs: ${A} 0:41`, ...punch(100, 10, A), ...dioRead(101, 20, '0:41', A)]);
    const r = await loadAccounted(path);
    expect(r.ops.map((o) => o.file)).toEqual(['0:41:300', '0:41:300']);
    expect(r.summary.notes.filter((n) => n.startsWith('btrfs filesystem'))).toEqual([]);
  });
});

describe('4: a run stopped at a deadlock counts the waits that never ended up to the stop', () => {
  it('seed-deadlock under range-lock: the range class\'s contentions have their waits (was: 2 contentions, 0 ns); the runs that ended are as before', () => {
    const trace = join(dir, 'seed-deadlock.trace');
    expect(cli(['synth', 'seed-deadlock', '-o', trace]).code).toBe(0);
    const out = join(dir, 'deadlock.json');
    expect(cli(['compare', trace, '-s', 'range-lock,i-rwsem', '--threads', '1', '-o', out]).code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as ReplayResult;
    const [range, rwsem] = result.results;
    const d = range.deadlock;
    expect(d?.reason).toBe('cycle');
    const waiting = (d?.blocked ?? []).filter((b) => b.lockClass === 'range');
    expect(waiting.length).toBe(range.locks.range.contentions);
    // each blocked task's wait, from when it began to the stop, and nothing else (no range wait ended)
    const waits = waiting.map((b) => (d?.atNs ?? 0) - b.sinceNs);
    // (the punch has waited since 23 µs; the fault that closed the cycle at 50 µs, not at all)
    expect(waits.sort((a, b) => a - b)).toEqual([0, 27_000]);
    expect(range.locks.range.waitTotalNs).toBe(waits.reduce((a, b) => a + b, 0));
    expect(range.locks.range.waitMaxNs).toBe(Math.max(...waits));
    // a run that ended has no wait left over: its classes' total is its ops' lock waits, as before
    expect(rwsem.deadlock).toBeNull();
    expect(rwsem.locks.i_rwsem).toMatchObject({ contentions: 1, waitTotalNs: 77160 });
    // and the result is still one report, check and merge read
    expect(cli(['report', out, '--format', 'json']).code).toBe(0);
  });
});

describe('5: exit codes for result files that cannot be read or are not results, command by command', () => {
  const good = join(dir, 'good.json');
  beforeAll(() => {
    const trace = join(dir, 'shared-rw.trace');
    expect(cli(['synth', 'shared-rw', '-o', trace]).code).toBe(0);
    expect(cli(['replay', trace, '-s', 'none', '-o', good]).code).toBe(0);
  });
  mkdirSync(join(dir, 'results'), { recursive: true });
  const f = (name: string, data: string | Buffer) => {
    const p = join(dir, 'results', name);
    writeFileSync(p, data);
    return p;
  };
  const files: [string, string, 'unreadable' | 'invalid'][] = [
    ['a missing file', join(dir, 'results', 'missing.json'), 'unreadable'],
    ['a directory', join(dir, 'results'), 'unreadable'],
    ['not JSON', f('garbage.json', 'garbage\n'), 'invalid'],
    ['JSON that is not a result', f('other.json', '{"a":1}\n'), 'invalid'],
    ['gzip data', f('result.json.gz', gzipSync('{}')), 'invalid'],
  ];
  // report: 3 for a file that cannot be read, 4 for one that is not a result; check and merge: 11 for both
  const cases = files.flatMap(([what, path, kind]) => [
    [`report, ${what}: exit ${kind === 'unreadable' ? 3 : 4}`, ['report', path], path, kind === 'unreadable' ? 3 : 4],
    [`check (the result), ${what}: exit 11`, ['check', path, '--baseline', good], path, 11],
    [`check (the baseline), ${what}: exit 11`, ['check', good, '--baseline', path], path, 11],
    [`merge, ${what}: exit 11`, ['merge', good, path, '--out', join(dir, 'merged.json')], path, 11],
  ] as [string, string[], string, number][]);

  it.each(cases)('%s', (_title, args, path, code) => {
    const r = cli(args);
    expect(r.code).toBe(code);
    // a message naming the file, no stack
    expect(r.stderr.startsWith(`lockreplay: ${path}: `)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
