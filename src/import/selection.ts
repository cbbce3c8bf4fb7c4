/**
 * The one selection filter of every input format (--file, --task, --from, --to), between any parser
 * and the op sink. It decides which ops and observed locks are kept, numbers the kept ops from 0,
 * counts them by kind and file, and accounts for the input lines of each: used when kept, skipped
 * ("filtered-file", "filtered-task", "filtered-time") when not.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import type { ObservedLock, Op } from '../model/op.js';
import type { LineCounter } from './accounting.js';
import { utf8FromLatin1 } from './lines.js';

export interface Selection {
  /** keep only these files (their keys as the op stream writes them: 7:0:133, blk:7:0, vol:3, file:/data/f) */
  files?: ReadonlySet<string>;
  /** keep only these tasks, by pid or comm */
  taskPids?: ReadonlySet<number>;
  taskComms?: ReadonlySet<string>;
  /** keep only ops issued in [fromNs, toNs]; relative values count from the first event */
  fromNs?: number;
  toNs?: number;
  timesRelative?: boolean;
}

/**
 * Refuses (exit 2) a selection a library caller gave that would select other ops than it says, or
 * none, silently: a time that is no number (NaN kept every op; a string, "1e9", was added to the
 * first event's time as text and kept none), a window that ends before it starts, a PID that is no
 * whole number (the strings of argv matched no task) or a comm or file that is no string. (The CLI's
 * flags make only valid ones.)
 */
export function assertSelection(s: Selection): void {
  for (const name of ['fromNs', 'toNs'] as const) {
    const v = s[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new LockreplayError(`option ${name}: expected a finite number of ns, not ${describe(v)}`, ExitCode.usage);
  }
  if (s.fromNs !== undefined && s.toNs !== undefined && s.fromNs > s.toNs) throw new LockreplayError(`option fromNs ${s.fromNs} is after toNs ${s.toNs}: the window holds no instant`, ExitCode.usage);
  if (s.timesRelative !== undefined && typeof s.timesRelative !== 'boolean') throw new LockreplayError(`option timesRelative: expected true or false, not ${describe(s.timesRelative)}`, ExitCode.usage);
  for (const pid of s.taskPids ?? []) {
    if (!Number.isSafeInteger(pid) || pid < 0) throw new LockreplayError(`option taskPids: expected whole numbers (PIDs), not ${describe(pid)} (a comm goes in taskComms)`, ExitCode.usage);
  }
  for (const name of ['taskComms', 'files'] as const) {
    for (const v of s[name] ?? []) if (typeof v !== 'string') throw new LockreplayError(`option ${name}: expected strings, not ${describe(v)}`, ExitCode.usage);
  }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}` : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === null ? 'null' : typeof v;
}

export interface SelectedCounts {
  byKind: Record<string, number>;
  byFile: Record<string, Record<string, number>>;
}

export class SelectingSink {
  private fromNs = -Infinity;
  private toNs = Infinity;
  private clockSet = false;
  private nextId = 0;
  readonly counts: SelectedCounts = { byKind: {}, byFile: {} };
  locksKept = 0;
  /** sched-wake records kept (apart from the lock events) */
  wakesKept = 0;
  /** sched-sleep records kept (apart from the lock events) */
  sleepsKept = 0;

  constructor(private readonly sink: { op(op: Op): void; lock(lock: ObservedLock): void }, private readonly counter: LineCounter, private readonly selection: Selection = {}) {}

  /** The parser read an event at `tsNs`: the first call sets the base of relative --from/--to. */
  clock(tsNs: number): void {
    if (this.clockSet) return;
    this.clockSet = true;
    const base = this.selection.timesRelative ? tsNs : 0;
    if (this.selection.fromNs !== undefined) this.fromNs = base + this.selection.fromNs;
    if (this.selection.toNs !== undefined) this.toNs = base + this.selection.toNs;
  }

  /**
   * Offers an op made of `lines` input lines (its parent, if any, already an id of this output).
   * Returns the id it was given, or -1 when the selection drops it.
   */
  op(op: Op, lines: number): number {
    this.clock(op.tsNs);
    const s = this.selection;
    const why = s.files !== undefined && !s.files.has(op.file) ? 'filtered-file'
      : !this.taskWanted(op.pid, op.comm) ? 'filtered-task'
      : op.tsNs < this.fromNs || op.tsNs > this.toNs ? 'filtered-time'
      : undefined;
    if (why !== undefined) {
      this.counter.skip(why, lines);
      return -1;
    }
    op.id = this.nextId++;
    this.counter.use(lines);
    const c = this.counts;
    c.byKind[op.kind] = (c.byKind[op.kind] ?? 0) + 1;
    const perFile = c.byFile[op.file] ?? (c.byFile[op.file] = {});
    perFile[op.kind] = (perFile[op.kind] ?? 0) + 1;
    this.sink.op(op);
    return op.id;
  }

  /** Offers an observed lock (its comm latin1 as the trace spelled it, unless `commIsLatin1` is false); mmap_lock targets pass --file. */
  lock(lock: ObservedLock, lines: number, commIsLatin1 = true): boolean {
    this.clock(lock.tsNs);
    const s = this.selection;
    if (s.files !== undefined && lock.target !== '' && !lock.target.startsWith('mm:') && !s.files.has(lock.target)) {
      this.counter.skip('filtered-file', lines);
      return false;
    }
    // (the comm is decoded only when a --task selection may read it)
    const taskOk = (s.taskPids === undefined && s.taskComms === undefined) || this.taskWanted(lock.pid, commIsLatin1 ? utf8FromLatin1(lock.comm) : lock.comm);
    if (!taskOk || lock.tsNs < this.fromNs || lock.tsNs > this.toNs) {
      this.counter.skip(taskOk ? 'filtered-time' : 'filtered-task', lines);
      return false;
    }
    this.counter.use(lines);
    if (lock.event === 'sched-wake') this.wakesKept++;
    else if (lock.event === 'sched-sleep') this.sleepsKept++;
    else this.locksKept++;
    this.sink.lock(lock);
    return true;
  }

  /** ops kept so far */
  get ops(): number {
    return this.nextId;
  }

  private taskWanted(pid: number, comm: string): boolean {
    const { taskPids, taskComms } = this.selection;
    if (taskPids === undefined && taskComms === undefined) return true;
    return (taskPids?.has(pid) ?? false) || (taskComms?.has(comm) ?? false);
  }
}

/** A --file value: DEV:INO in any notation (→ the canonical MAJ:MIN:INO), or a key as an op stream spells it. */
export function fileSelectorKey(text: string, parseDevIno: (t: string) => string | undefined): string | undefined {
  const devIno = parseDevIno(text);
  if (devIno !== undefined) return devIno;
  const t = text.trim();
  if (/^blk:\d+:\d+$/.test(t) || /^fd:\d+:-?\d+(\/\d+)?$/.test(t) || /^(tgid|pid):\d+$/.test(t) || /^mm:\S+$/.test(t)) return t;
  if (/^(vol|file):./.test(t)) return t;
  return undefined;
}
