/** fio iologs and blkparse text: layout details (spacing, blank lines, headers), the run's clock, blkparse's summary blocks. */
import { describe, expect, it } from 'vitest';
import { brief, load } from './helpers.js';

const samples = (r: { summary: { lines: { badSamples: string[] } }; path: string }): string[] => r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1));

describe('fio iolog layout', () => {
  it('blank lines are skipped; fields are split at runs of blanks; lines are trimmed', async () => {
    const r = await load('fio version 2 iolog\n\n   \n  /dev/sda   write\t0  4096  \n/dev/sda read 4096 512\n');
    expect(r.ops.map(brief)).toEqual([
      '0 write file:/dev/sda 0+4096 pid 1 fio proc pid:1 ts 0 line 4',
      '1 read file:/dev/sda 4096+512 pid 1 fio proc pid:1 ts 0 line 5',
    ]);
    expect(r.summary.lines).toEqual({ total: 5, used: 2, skipped: { blank: 2, header: 1 }, bad: 0, badSamples: [] });
  });

  it('the header is the whole first line', async () => {
    const a = await load('fio version 2 iolog x\n/dev/sda read 0 1\n', { format: 'fio-iolog', lenient: true });
    expect(samples(a)[0]).toBe('1: expected "fio version 2 iolog" or "fio version 3 iolog" on the first line');
    const b = await load('xfio version 2 iolog\n/dev/sda read 0 1\n', { format: 'fio-iolog', lenient: true });
    expect(samples(b)[0]).toBe('1: expected "fio version 2 iolog" or "fio version 3 iolog" on the first line');
  });

  it('sync and datasync need no range; a wait of 0 is allowed', async () => {
    const r = await load('fio version 2 iolog\n/dev/sda sync\n/dev/sda wait 0\n/dev/sda datasync\n/dev/sda trim 0\n', { lenient: true });
    expect(r.ops.map(brief)).toEqual([
      '0 fsync file:/dev/sda 0+0 pid 1 fio proc pid:1 ts 0 line 2',
      '1 fsync file:/dev/sda 0+0 pid 1 fio proc pid:1 ts 0 line 4',
    ]);
    expect(samples(r)).toEqual(['5: trim needs OFFSET and LENGTH']);
    expect(r.summary.lines.skipped).toEqual({ header: 1, 'iolog-wait': 1 });
  });

  it('relative --from counts from the start of the run (v2) or from the first timestamp (v3)', async () => {
    const v2 = await load('fio version 2 iolog\n/dev/sda wait 100\n/dev/sda write 0 1\n/dev/sda wait 100\n/dev/sda read 0 1\n', { fromNs: 150_000, timesRelative: true });
    expect(v2.ops.map((o) => `${o.kind} ${o.tsNs}`)).toEqual(['read 200000']);
    const v3 = await load('fio version 3 iolog\n1000 /dev/sda write 0 1\n1100 /dev/sda read 0 1\n1300 /dev/sda read 0 1\n', { fromNs: 50_000, toNs: 200_000, timesRelative: true });
    expect(v3.ops.map((o) => `${o.kind} ${o.tsNs}`)).toEqual(['read 1100000']);
    expect(v3.summary.lines.skipped).toEqual({ 'filtered-time': 2, header: 1 });
  });
});

describe('blkparse layout and summary', () => {
  it('wide fields: a major and minor of several digits, CPU and sequence numbers past 9, padded pids', async () => {
    const r = await load([
      '259,16  12      123     0.000000100    22  Q  WS 8 + 8 [fio]',
      '259,16  12      124     0.000000500    22  C  WS 8 + 8 [0]',
      '',
    ].join('\n'), { format: 'blkparse' });
    expect(r.ops.map(brief)).toEqual(['0 write blk:259:16 4096+4096 pid 22 fio proc pid:22 ts 100 dur 400 line 1']);
  });

  it('a line must start with the device; text before it is a bad line', async () => {
    const r = await load([
      'x 8,0 1 1 0.000000100 22 Q WS 8 + 8 [fio]',
      '  8,0 1 2 0.000000200 22 Q WS 16 + 8 [fio]',
      '',
    ].join('\n'), { format: 'blkparse', lenient: true });
    expect(samples(r)).toEqual(['1: not a blkparse line ("MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS ...")']);
    expect(r.ops.map((o) => o.offset)).toEqual([8192]);
  });

  it('a summary block starts at the start of a line; the first may be of CPU 12; Throughput/Events/Skips lines are skipped anywhere', async () => {
    const r = await load([
      '  8,0    1        1     0.000000001 14364  Q  RS 8 + 8 [fio]',
      'garbage CPU1 (8,0):',
      '  Throughput (R/W): 1KiB/s / 0KiB/s',
      'Events (8,0): 3 entries',
      '  8,0    1        2     0.000000002 14364  Q  RS 16 + 8 [fio]',
      'Eventsx 3',
      'CPU12 (8,0):',
      ' Reads Queued:           7,       28KiB\t Writes Queued:           0,        0KiB',
      '',
    ].join('\n'), { format: 'blkparse', lenient: true });
    expect(r.ops.map((o) => o.offset)).toEqual([4096, 8192]);
    expect(samples(r)).toEqual(['2: not a blkparse line ("MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS ...")', '6: not a blkparse line ("MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS ...")']);
    expect(r.summary.lines.skipped).toEqual({ summary: 4 });
    expect(r.summary.notes[0]).toBe('blkparse\'s own summary: 7 reads and 0 writes queued; imported 2 reads and 0 writes (they DIFFER)');
  });

  it('a device\'s Total block stands over its per-CPU blocks; a device without one (blkparse prints it for a device seen on several CPUs) counts by its CPU blocks', async () => {
    const r = await load([
      '  8,0    1        1     0.000000001 14364  Q  RS 8 + 8 [fio]',
      'CPU0 (8,0):',
      ' Reads Queued:           5,       20KiB\t Writes Queued:           1,        4KiB',
      'CPU1 (8,0):',
      ' Reads Queued:           6,       24KiB\t Writes Queued:           2,        8KiB',
      'Total (8,0):',
      ' Reads Queued:          20,       80KiB\t Writes Queued:           9,       36KiB',
      'CPU2 (8,16):',
      ' Reads Queued:         100,      400KiB\t Writes Queued:         100,      400KiB',
      '',
    ].join('\n'), { format: 'blkparse' });
    expect(r.summary.notes[0]).toBe('blkparse\'s own summary: 120 reads and 109 writes queued; imported 1 reads and 0 writes (they DIFFER)');
  });
});
