/**
 * tracefs access for `lockreplay record`: find or mount it, snapshot and restore the settings a
 * capture touches (events, filters, tracer, buffer size, tracing_on, notrace pids).
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, LockreplayError } from '../errors.js';

export class Tracefs {
  private constructor(readonly root: string, readonly mountedByUs: boolean) {}

  /** /sys/kernel/tracing when it is populated, else a tracefs mounted in a temporary folder. */
  static open(): Tracefs {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new LockreplayError('record needs root (tracefs is root-only): run it with sudo', ExitCode.notRoot);
    }
    for (const p of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
      if (existsSync(join(p, 'trace')) && existsSync(join(p, 'events'))) return new Tracefs(p, false);
    }
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-tracefs-'));
    try {
      execFileSync('mount', ['-t', 'tracefs', 'nodev', dir], { stdio: 'pipe' });
    } catch (err) {
      rmdirSync(dir);
      throw new LockreplayError(`no tracefs: /sys/kernel/tracing is empty and mounting tracefs failed (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`, ExitCode.noTracefs);
    }
    if (!existsSync(join(dir, 'trace'))) {
      throw new LockreplayError('no tracefs: the mounted tracefs has no trace file (is CONFIG_FTRACE enabled?)', ExitCode.noTracefs);
    }
    return new Tracefs(dir, true);
  }

  path(rel: string): string {
    return join(this.root, rel);
  }

  /**
   * tracefs files hold bytes: they are read and written as latin1 (one char per byte), as the
   * trace text is, so a filter on a comm whose name is not ASCII (a byte string cut as the kernel
   * cuts it) goes back as the same bytes
   */
  read(rel: string): string {
    return readFileSync(this.path(rel), 'latin1');
  }

  write(rel: string, text: string): void {
    writeFileSync(this.path(rel), text, 'latin1');
  }

  /** appends without truncating (set_event and the pid lists add entries this way) */
  append(rel: string, text: string): void {
    appendFileSync(this.path(rel), text, 'latin1');
  }

  hasEvent(event: string): boolean {
    return existsSync(this.path(join('events', event, 'enable')));
  }

  cpuCount(): number {
    try {
      return readdirSync(this.path('per_cpu')).filter((d) => /^cpu\d+$/.test(d)).length;
    } catch {
      return 1;
    }
  }

  /** Each CPU's ring buffer size in bytes (per_cpu/cpuN/buffer_size_kb), by CPU folder name. */
  bufferSizes(): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const d of readdirSync(this.path('per_cpu')).filter((x) => /^cpu\d+$/.test(x))) {
      sizes.set(d, Number(effectiveBufferKb(readFileSync(this.path(`per_cpu/${d}/buffer_size_kb`), 'utf8'))) * 1024);
    }
    return sizes;
  }

  /**
   * How full the fullest per-CPU ring buffer is, 0 to 1: its bytes (per_cpu/cpuN/stats) over its
   * size (`sizes`, from bufferSizes(): they do not change while tracing). 1 when a file cannot be
   * read or a size is unknown (drain, to be safe).
   */
  fullestBuffer(sizes: ReadonlyMap<string, number>): number {
    let fullest = 0;
    try {
      for (const [d, size] of sizes) {
        const bytes = Number(/^bytes: (\d+)/m.exec(readFileSync(this.path(`per_cpu/${d}/stats`), 'utf8'))?.[1]);
        if (!(bytes >= 0 && size > 0)) return 1;
        fullest = Math.max(fullest, bytes / size);
      }
    } catch {
      return 1;
    }
    return sizes.size > 0 ? fullest : 1;
  }

  /** Events lost by the ring buffer, from per_cpu/cpuN/stats (overrun + dropped events). */
  lostEvents(): number {
    let lost = 0;
    for (const d of readdirSync(this.path('per_cpu')).filter((x) => /^cpu\d+$/.test(x))) {
      const stats = readFileSync(this.path(`per_cpu/${d}/stats`), 'utf8');
      const over = /^overrun: (\d+)/m.exec(stats);
      const dropped = /^dropped events: (\d+)/m.exec(stats);
      lost += Number(over?.[1] ?? 0) + Number(dropped?.[1] ?? 0);
    }
    return lost;
  }

  unmountIfOurs(): void {
    if (!this.mountedByUs) return;
    try {
      execFileSync('umount', [this.root], { stdio: 'pipe' });
      rmdirSync(this.root);
    } catch {
      // left mounted: harmless, and nothing better to do
    }
  }
}

/** The settings a capture changes, as text, to put back exactly. */
export interface TracefsState {
  tracingOn: string;
  currentTracer: string;
  /** the effective per-CPU size in KB ("7 (expanded: 1408)" means 1408 once tracing starts) */
  bufferSizeKb: string;
  /**
   * each CPU's size in KB (per_cpu/cpuN/buffer_size_kb, by CPU folder name), only when they differ:
   * buffer_size_kb then reads "X", which cannot be written back
   */
  perCpuBufferKb?: Record<string, string>;
  setEvent: string;
  notracePid: string;
  /** filters of the events a capture sets one on */
  filters: Record<string, string>;
  /** options/record-tgid ("" where the kernel has no such option) */
  recordTgid: string;
}

export function effectiveBufferKb(text: string): string {
  const m = /\(expanded: (\d+)\)/.exec(text);
  return m ? m[1] : text.trim();
}

/**
 * Whether two per-CPU ring buffer sizes (KB) are the same buffer: the kernel sizes a buffer in whole
 * pages of data (4080 bytes on 4 KiB pages), so a size written, or the default a fresh boot expands
 * to on the first enabled event ("7 (expanded: 1408)"), reads back up to a page larger (1410).
 */
export function sameBufferKb(a: string, b: string): boolean {
  return a === b || Math.abs(Number(a) - Number(b)) < 4;
}

/** buffer_size_kb when the CPUs' ring buffers have different sizes */
const SIZES_DIFFER = 'X';

function perCpuBufferKb(fs: Tracefs): Record<string, string> {
  const sizes: Record<string, string> = {};
  for (const d of readdirSync(fs.path('per_cpu')).filter((x) => /^cpu\d+$/.test(x))) sizes[d] = effectiveBufferKb(fs.read(`per_cpu/${d}/buffer_size_kb`));
  return sizes;
}

export function snapshot(fs: Tracefs, events: string[]): TracefsState {
  const filters: Record<string, string> = {};
  for (const e of events) if (fs.hasEvent(e)) filters[e] = fs.read(`events/${e}/filter`).trim();
  const bufferSizeKb = effectiveBufferKb(fs.read('buffer_size_kb'));
  return {
    tracingOn: fs.read('tracing_on').trim(),
    currentTracer: fs.read('current_tracer').trim(),
    bufferSizeKb,
    ...(bufferSizeKb === SIZES_DIFFER ? { perCpuBufferKb: perCpuBufferKb(fs) } : {}),
    setEvent: fs.read('set_event'),
    notracePid: existsSync(fs.path('set_event_notrace_pid')) ? fs.read('set_event_notrace_pid') : '',
    filters,
    recordTgid: existsSync(fs.path('options/record-tgid')) ? fs.read('options/record-tgid').trim() : '',
  };
}

export function restore(fs: Tracefs, s: TracefsState): void {
  const attempt = (f: () => void): void => {
    try {
      f();
    } catch {
      // restore what can be restored
    }
  };
  attempt(() => fs.write('tracing_on', '0'));
  attempt(() => fs.write('set_event', '\n'));
  for (const line of s.setEvent.split('\n').filter((l) => l.trim() !== '')) attempt(() => fs.append('set_event', `${line}\n`));
  for (const [e, f] of Object.entries(s.filters)) attempt(() => fs.write(`events/${e}/filter`, f === 'none' ? '0' : f));
  if (existsSync(fs.path('set_event_notrace_pid'))) {
    attempt(() => fs.write('set_event_notrace_pid', '\n'));
    for (const pid of s.notracePid.split(/\s+/).filter((p) => p !== '')) attempt(() => fs.append('set_event_notrace_pid', pid));
  }
  attempt(() => fs.write('current_tracer', s.currentTracer));
  if (s.recordTgid !== '') attempt(() => fs.write('options/record-tgid', s.recordTgid));
  // written back only when it changed: the kernel rounds a size to its pages (sameBufferKb)
  if (s.perCpuBufferKb !== undefined) {
    for (const [cpu, kb] of Object.entries(s.perCpuBufferKb)) {
      attempt(() => {
        if (!sameBufferKb(effectiveBufferKb(fs.read(`per_cpu/${cpu}/buffer_size_kb`)), kb)) fs.write(`per_cpu/${cpu}/buffer_size_kb`, kb);
      });
    }
  } else {
    attempt(() => {
      if (!sameBufferKb(effectiveBufferKb(fs.read('buffer_size_kb')), s.bufferSizeKb)) fs.write('buffer_size_kb', s.bufferSizeKb);
    });
  }
  attempt(() => fs.write('tracing_on', s.tracingOn));
}
