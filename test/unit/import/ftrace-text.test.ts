/** The ftrace text reader around the op builder: headers, markers, the blk tracer, trace-cmd's window, foreign events. */
import { describe, expect, it } from 'vitest';
import { brief, load } from './helpers.js';

describe('ftrace text lines', () => {
  it('the blk tracer\'s lines are block requests; its P/U/G lines are skipped', async () => {
    const r = await load(`# tracer: blk
#P:2
             fio-10134   [001] d..1.   397.108559:   7,0    Q  RS 133248 + 8 [fio]
             fio-10134   [001] d..1.   397.108568:   7,0    G  RS 133248 + 8 [fio]
             fio-10134   [001] d..1.   397.108570:   7,0    P   N [fio]
             fio-10134   [001] d..1.   397.108572:   7,0    U   N [fio] 1
             fio-10134   [001] d..1.   397.108574:   7,0    D  RS 133248 + 8 [fio]
     ksoftirqd/1-22      [001] d.s1.   397.108616:   7,0    C  RS 133248 + 8 [0]
             fio-10134   [001] d..1.   397.108700:   7,0    
`, { lenient: true });
    expect(r.ops.map(brief)).toEqual(['0 read blk:7:0 68222976+4096 pid 10134 fio proc pid:10134 ts 397108559000 dur 42000 line 3']);
    expect({ ...r.summary.lines, badSamples: r.summary.lines.badSamples.map((s) => s.slice(r.path.length + 1)) }).toEqual({
      total: 9, used: 3, bad: 1, badSamples: ['9: blk tracer line without an action'],
      skipped: { 'block-action-get-request': 1, 'block-action-plug': 1, 'block-action-unplug': 1, 'header-comment': 2 },
    });
  });

  it('markers, blank lines, stack traces, foreign events and their continuation lines, lost events', async () => {
    const r = await load(`# tracer: nop
# entries-in-buffer/entries-written: 3/3   #P:4
#P:8

##### CPU 1 buffer started ####
     kworker/5:2-1497  [005]   454.414603: thermal_power_cpu_get_power: [FAILED TO PARSE] cpumask=ARRAY[0f, 00]
     kworker/5:2-1497  [005]   454.414610: thermal_power_allocator_pid: thermal_zone_id=0 err=-4553
 continued payload of that event
 => stack_frame+0x10/0x20
CPU:1 [LOST 3 EVENTS]
CPU:2 [LOST 4 EVENTS]
`);
    expect(r.summary.cpus).toBe(4);
    expect(r.summary.lostEvents).toBe(7);
    expect(r.summary.lines).toEqual({
      total: 11, used: 0, bad: 0, badSamples: [],
      skipped: { blank: 1, 'buffer-marker': 1, 'failed-to-parse': 1, 'header-comment': 3, 'irrelevant-event': 1, 'lost-events-marker': 2, 'payload-continuation': 1, 'stack-trace-continuation': 1 },
    });
    expect(r.summary.notes).toEqual([
      '7 events were lost by the kernel ring buffer: ops around them may be incomplete',
      'the trace header names 4 CPUs (#P:4, line 2) and later 8 CPUs (#P:8, line 3; traces joined end to end?): the count of line 2 is used',
      // (the events are on CPU 5: the count of line 2 leaves it out)
      '2 event lines are on a CPU the trace header does not count (#P:4, line 2: CPUs 0 to 3): the first is line 6 (CPU 5), the highest CPU 5. A replay models the header\'s 4 CPUs (--cpus sets another count)',
    ]);
  });

  it('trace-cmd: lines out of time order are re-sorted and counted; dropped events are lost events', async () => {
    const r = await load(`version = 6
CPU 3 is empty
CPU:1 [12 EVENTS DROPPED]
cpus=4
cpus=8
             fio-12752 [000]   619.541289: sys_enter_pwrite64:   fd: 0x00000007, buf: 0x56141bb59610, count: 0x00001000, pos: 0x003dc000
             fio-12753 [001]   619.541280: sys_enter_pread64:   fd: 0x00000007, buf: 0x56141bb59610, count: 0x00001000, pos: 0x00000000
             fio-12752 [000]   619.541296: ext4_da_write_begin:  dev 254,0 ino 2154529 pos 4046848 len 4096
             fio-12752 [000]   619.541308: sys_exit_pwrite64:    0x1000
             fio-12753 [001]   619.541300: sys_exit_pread64:    0x1000
`);
    expect(r.summary.cpus).toBe(4);
    expect(r.summary.format).toBe('trace-cmd');
    expect(r.ops.map(brief)).toEqual([
      '0 read fd:12753:7 0+4096 pid 12753 fio proc pid:12753 ts 619541280000 dur 20000 line 7',
      '1 write 254:0:2154529 4046848+4096 pid 12752 fio proc pid:12752 ts 619541289000 dur 19000 line 6',
    ]);
    expect(r.summary.notes.slice(0, 2)).toEqual(['12 events were lost by the kernel ring buffer: ops around them may be incomplete', '2 lines came out of time order and were re-sorted']);
    expect(r.summary.lines.skipped).toEqual({ 'header-trace-cmd': 4, 'lost-events-marker': 1 });
  });

  it('a tgid column names the process', async () => {
    const r = await load(`# tracer: nop
#P:2
             fio-12734   (  12730) [000] .....   618.022805: sys_pwrite64(fd: 7, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x3dc000)
             fio-12734   (  12730) [000] .....   618.022826: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000000 pos 0x3dc000 bytecount 0x1000
             fio-12734   (  12730) [000] .....   618.022848: sys_pwrite64 -> 0x1000
`);
    expect(r.ops.map(brief)).toEqual(['0 write 7:0:133 4046848+4096 pid 12734 fio proc tgid:12730 ts 618022805000 dur 43000 line 3']);
  });
});
