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
import { emptyWindowNote, type SelectionClock, windowBoundNs } from './selection-time.js';

export interface Selection {
  /** keep only these files (their keys as the op stream writes them: 7:0:133, blk:7:0, vol:3, file:/data/f) */
  files?: ReadonlySet<string>;
  /** keep only these tasks, by pid or comm */
  taskPids?: ReadonlySet<number>;
  taskComms?: ReadonlySet<string>;
  /**
   * keep only ops issued in [fromNs, toNs]; relative values count from the first event. On a CSV
   * trace with epoch times (counted from the first row's), an absolute value of 2^53 ns or more is
   * a time since 1970 (selection-time.ts)
   */
  fromNs?: number;
  toNs?: number;
  timesRelative?: boolean;
  /** fromNs and toNs exactly, when read from decimal digits (the CLI): past 2^53 a double rounds them */
  fromExactNs?: bigint;
  toExactNs?: bigint;
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
  for (const name of ['fromExactNs', 'toExactNs'] as const) {
    const v = s[name];
    if (v !== undefined && (typeof v !== 'bigint' || v < 0n)) throw new LockreplayError(`option ${name}: expected a bigint of ns, 0 or more, not ${describe(v)}`, ExitCode.usage);
  }
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
  /** where the op times count from (ns since 1970), for a CSV trace with epoch times */
  private originNs: bigint | undefined;
  /** the ops the time window was applied to: how many it dropped, the first and last time */
  private timeDropped = 0;
  private windowFirstNs = Infinity;
  private windowLastNs = -Infinity;
  private windowClock: SelectionClock = {};
  private nextId = 0;
  readonly counts: SelectedCounts = { byKind: {}, byFile: {} };
  locksKept = 0;
  /** sched-wake records kept (apart from the lock events) */
  wakesKept = 0;
  /** sched-sleep records kept (apart from the lock events) */
  sleepsKept = 0;

  constructor(private readonly sink: { op(op: Op): void; lock(lock: ObservedLock): void }, private readonly counter: LineCounter, private readonly selection: Selection = {}) {}

  /**
   * The op times count from `originNs` ns since 1970 (a CSV trace with epoch times): --from and --to
   * from 2^53 ns on are times since 1970. Called before the first op.
   */
  countsFrom(originNs: bigint): void {
    if (!this.clockSet) this.originNs = originNs;
  }

  /** The parser read an event at `tsNs`: the first call sets the base of relative --from/--to. */
  clock(tsNs: number): void {
    if (this.clockSet) return;
    this.clockSet = true;
    const s = this.selection;
    const clock: SelectionClock = { relativeBaseNs: s.timesRelative === true ? tsNs : undefined, originNs: this.originNs };
    this.windowClock = clock;
    if (s.fromNs !== undefined) this.fromNs = windowBoundNs(s.fromNs, s.fromExactNs, clock);
    if (s.toNs !== undefined) this.toNs = windowBoundNs(s.toNs, s.toExactNs, clock);
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
      : this.outOfWindow(op.tsNs) ? 'filtered-time'
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

  /** Whether an op at `tsNs` is outside --from/--to (noting the times of the ops the window is applied to). */
  private outOfWindow(tsNs: number): boolean {
    if (this.selection.fromNs === undefined && this.selection.toNs === undefined) return false;
    if (tsNs < this.windowFirstNs) this.windowFirstNs = tsNs;
    if (tsNs > this.windowLastNs) this.windowLastNs = tsNs;
    const out = tsNs < this.fromNs || tsNs > this.toNs;
    if (out) this.timeDropped++;
    return out;
  }

  /** The summary's note when --from/--to left no op while there were ops to select from (undefined otherwise). */
  emptyWindowNote(): string | undefined {
    if (this.nextId > 0 || this.timeDropped === 0) return undefined;
    const s = this.selection;
    return emptyWindowNote({
      from: s.fromNs !== undefined ? { ns: s.fromNs, exactNs: s.fromExactNs } : undefined,
      to: s.toNs !== undefined ? { ns: s.toNs, exactNs: s.toExactNs } : undefined,
      fromNs: this.fromNs, toNs: this.toNs, firstNs: this.windowFirstNs, lastNs: this.windowLastNs,
      narrowed: s.files !== undefined || s.taskPids !== undefined || s.taskComms !== undefined,
      clock: this.windowClock,
    });
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
