/**
 * Synthetic events in the kernel's own `trace` text layout (5-character irq flags, TGID column), so
 * synthetic traces go through the same importer as real ones. The order they are written in (by
 * time, then by insertion, as the kernel merges its buffers) is made by synth/stream.ts.
 */
export interface SynthTask {
  comm: string;
  pid: number;
  tgid: number;
  cpu: number;
}

export const DEV = '7:0';
export const INO_HEX = '85';
export const FD = 3;

/**
 * Where an OpEmitter's events go. Subclasses decide what an event becomes: counted only (the first
 * pass, which sizes the header) or kept as its trace line until the merge writes it.
 */
export abstract class EventSink {
  protected abstract add(tsNs: number, task: SynthTask, text: string): void;

  event(tsNs: number, task: SynthTask, name: string, body: string): void {
    this.add(tsNs, task, `${name}: ${body}`);
  }

  syscallEnter(tsNs: number, task: SynthTask, name: string, args: string): void {
    this.add(tsNs, task, `sys_${name}(${args})`);
  }

  syscallExit(tsNs: number, task: SynthTask, name: string, ret: number): void {
    this.add(tsNs, task, `sys_${name} -> 0x${ret.toString(16)}`);
  }
}

/** Counts events without formatting their lines. */
export class CountingSink extends EventSink {
  count = 0;
  protected add(): void {
    this.count++;
  }
}

/** Keeps events as trace lines (no line break), with their times, in the order they were added. */
export class LineSink extends EventSink {
  readonly times: number[] = [];
  readonly lines: string[] = [];
  protected add(tsNs: number, task: SynthTask, text: string): void {
    this.times.push(tsNs);
    this.lines.push(`${prefix(task, tsNs)}${text}`);
  }

  clear(): void {
    this.times.length = 0;
    this.lines.length = 0;
  }
}

/** The header lines of a `trace` file of `entries` events on `cpus` CPUs. */
export function traceHeader(cpus: number, title: string, entries: number): string[] {
  return [
    '# tracer: nop',
    `# lockreplay synth: ${title}`,
    `# entries-in-buffer/entries-written: ${entries}/${entries}   #P:${cpus}`,
    '#',
    '#                                          _-----=> irqs-off/BH-disabled',
    '#                                         / _----=> need-resched',
    '#                                        | / _---=> hardirq/softirq',
    '#                                        || / _--=> preempt-depth',
    '#                                        ||| / _-=> migrate-disable',
    '#                                        |||| /     delay',
    '#           TASK-PID     TGID     CPU#  |||||  TIMESTAMP  FUNCTION',
    '#              | |         |        |   |||||     |         |',
  ];
}

function prefix(task: SynthTask, tsNs: number): string {
  const sec = Math.floor(tsNs / 1e9);
  const usec = Math.floor((tsNs - sec * 1e9) / 1000);
  return `${task.comm.padStart(16)}-${String(task.pid).padEnd(7)} (${String(task.tgid).padStart(7)}) [${String(task.cpu).padStart(3, '0')}] ..... ${String(sec).padStart(5)}.${String(usec).padStart(6, '0')}: `;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The event sequences of one op each, as the kernel prints them (trace-formats.md §7). */
export class OpEmitter {
  constructor(private readonly w: EventSink) {}

  /** pwrite64 through the page cache; `fault` is a copy from a user buffer that faults on the file */
  bufferedWrite(t: SynthTask, ts: number, durNs: number, off: number, len: number, fault?: { atNs: number; durNs: number; pageOff: number }): void {
    const w = this.w;
    w.syscallEnter(ts, t, 'pwrite64', `fd: ${FD}, buf: 0x7f0000000000, count: ${hex(len)}, pos: ${hex(off)}`);
    w.event(ts + 1000, t, 'xfs_file_buffered_write', `dev ${DEV} ino 0x${INO_HEX} disize 0x1000000 pos ${hex(off)} bytecount ${hex(len)}`);
    if (fault !== undefined) {
      const f = ts + fault.atNs;
      w.event(f, t, 'mmap_lock_start_locking', `mm=00000000${t.tgid.toString(16).padStart(8, '0')} memcg_id=1 write=false`);
      w.event(f, t, 'mmap_lock_acquire_returned', `mm=00000000${t.tgid.toString(16).padStart(8, '0')} memcg_id=1 write=false success=true`);
      w.event(f + 1000, t, 'mm_filemap_fault', `dev=${DEV} ino=${INO_HEX} ofs=${fault.pageOff}`);
      w.event(f + fault.durNs, t, 'mmap_lock_released', `mm=00000000${t.tgid.toString(16).padStart(8, '0')} memcg_id=1 write=false`);
    }
    w.syscallExit(ts + durNs, t, 'pwrite64', len);
  }

  bufferedRead(t: SynthTask, ts: number, durNs: number, off: number, len: number): void {
    const w = this.w;
    w.syscallEnter(ts, t, 'pread64', `fd: ${FD}, buf: 0x7f0000000000, count: ${hex(len)}, pos: ${hex(off)}`);
    w.event(ts + 1000, t, 'xfs_file_buffered_read', `dev ${DEV} ino 0x${INO_HEX} disize 0x1000000 pos ${hex(off)} bytecount ${hex(len)}`);
    w.syscallExit(ts + durNs, t, 'pread64', len);
  }

  /** O_DIRECT pwrite64: the kernel pins the user buffer (mmap_lock read) after starting the DIO */
  dioWrite(t: SynthTask, ts: number, durNs: number, off: number, len: number): void {
    const w = this.w;
    const mm = `mm=00000000${t.tgid.toString(16).padStart(8, '0')} memcg_id=1`;
    w.syscallEnter(ts, t, 'pwrite64', `fd: ${FD}, buf: 0x7f0000100000, count: ${hex(len)}, pos: ${hex(off)}`);
    w.event(ts + 1000, t, 'iomap_dio_rw_begin', `dev ${DEV} ino 0x${INO_HEX} size 0x1000000 offset ${hex(off)} length ${hex(len)} done_before 0x0 flags DIRECT dio_flags  aio 0`);
    w.event(ts + 2000, t, 'mmap_lock_start_locking', `${mm} write=false`);
    w.event(ts + 2000, t, 'mmap_lock_acquire_returned', `${mm} write=false success=true`);
    w.event(ts + 3000, t, 'mmap_lock_released', `${mm} write=false`);
    w.event(ts + durNs - 1000, t, 'iomap_dio_complete', `dev ${DEV} ino 0x${INO_HEX} size 0x1000000 offset ${hex(off + len)} flags DIRECT aio 0 error 0 ret ${len}`);
    w.syscallExit(ts + durNs, t, 'pwrite64', len);
  }

  punch(t: SynthTask, ts: number, durNs: number, off: number, len: number): void {
    const w = this.w;
    w.syscallEnter(ts, t, 'fallocate', `fd: ${FD}, mode: 3, offset: ${hex(off)}, len: ${hex(len)}`);
    w.event(ts + 1000, t, 'xfs_free_file_space', `dev ${DEV} ino 0x${INO_HEX} iflags 0x0`);
    w.syscallExit(ts + durNs, t, 'fallocate', 0);
  }

  truncate(t: SynthTask, ts: number, durNs: number, newSize: number): void {
    const w = this.w;
    w.syscallEnter(ts, t, 'ftruncate', `fd: ${FD}, length: ${hex(newSize)}`);
    w.event(ts + 1000, t, 'xfs_setattr', `dev ${DEV} ino 0x${INO_HEX} iflags 0x0`);
    w.syscallExit(ts + durNs, t, 'ftruncate', 0);
  }

  /** a user page fault on the file mapping: one episode of events */
  fault(t: SynthTask, ts: number, durNs: number, pageOff: number, write: boolean): void {
    const w = this.w;
    w.event(ts, t, 'page_fault_user', `address=${hex(0x7f0000200000 + pageOff)} ip=0x401000 error_code=${write ? '0x6' : '0x4'}`);
    w.event(ts + 1000, t, write ? 'xfs_write_fault' : 'xfs_read_fault', `dev ${DEV} ino 0x${INO_HEX} order 0`);
    w.event(ts + 1000, t, 'mm_filemap_fault', `dev=${DEV} ino=${INO_HEX} ofs=${pageOff}`);
    w.event(ts + durNs, t, 'mm_filemap_map_pages', `dev=${DEV} ino=${INO_HEX} ofs=${pageOff}-${pageOff + 4095}`);
  }

  munmap(t: SynthTask, ts: number, durNs: number): void {
    const w = this.w;
    const mm = `mm=00000000${t.tgid.toString(16).padStart(8, '0')} memcg_id=1`;
    w.syscallEnter(ts, t, 'munmap', `addr: 0x7f0000300000, len: 0x1000`);
    w.event(ts + 1000, t, 'mmap_lock_start_locking', `${mm} write=true`);
    w.event(ts + durNs - 1000, t, 'mmap_lock_acquire_returned', `${mm} write=true success=true`);
    w.event(ts + durNs - 500, t, 'mmap_lock_released', `${mm} write=true`);
    w.syscallExit(ts + durNs, t, 'munmap', 0);
  }
}
