import { ExitCode, LockreplayError } from '../errors.js';
import { expectString } from '../util/arguments.js';
import { iMutexStrategy } from './i-mutex.js';
import { noneStrategy } from './none.js';
import { pageLockStrategy } from './page-lock.js';
import { rangeLockStrategy } from './range-lock.js';
import type { Strategy } from './types.js';
import { markPlansFromViews } from './views.js';
import { LINUX_PROFILES, linuxStrategy } from './linux.js';
import { DEFAULT_HZ } from '../locks/linux-rwsem.js';
import { btrfsExtentStrategy, buesoRwStrategy, kara2013Strategy, listRangeStrategy, lustreWriteStrategy, segmentBitmapStrategy, twoStateStrategy } from './range-designs.js';

export type { Strategy } from './types.js';

/**
 * Strategies whose plans need no checking as they are made: the built-in ones, JSON rules tables
 * (balanced by construction) and those already wrapped by validateStrategy (strategies/user.ts).
 * Any other object given to the library's replay or compare is checked like a JS module's.
 */
const CHECKED = new WeakSet<Strategy>();

export function markChecked<S extends Strategy>(s: S): S {
  CHECKED.add(s);
  return s;
}

export function isChecked(s: Strategy): boolean {
  return CHECKED.has(s);
}

/** The built-in strategies, in the order `compare --all` runs and prints them. */
const FACTORIES: Record<string, (options: Record<string, string>) => Strategy> = {
  none: (o) => (known('none', o, []), noneStrategy()),
  'page-lock': (o) => (known('page-lock', o, []), pageLockStrategy()),
  'i-mutex': (o) => (known('i-mutex', o, []), iMutexStrategy()),
  'range-lock': (o) => {
    known('range-lock', o, ['fairness', 'prefault', 'buffered']);
    const fairness = oneOf('range-lock', 'fairness', o.fairness ?? 'fifo', ['fifo', 'reader-pref', 'nested-shared-ok'] as const);
    const buffered = oneOf('range-lock', 'buffered', o.buffered ?? 'syscall', ['syscall', 'page'] as const);
    return rangeLockStrategy({ fairness, prefault: bool('range-lock', 'prefault', o.prefault ?? 'false'), buffered });
  },
  'i-rwsem': (o) => linuxStrategy('i-rwsem', rwsemModel('i-rwsem', o), hzOf('i-rwsem', o)),
  'linux:xfs': (o) => linuxStrategy('xfs', rwsemModel('linux:xfs', o), hzOf('linux:xfs', o)),
  'linux:ext4': (o) => linuxStrategy('ext4', rwsemModel('linux:ext4', o), hzOf('linux:ext4', o)),
  'linux:generic': (o) => linuxStrategy('generic', rwsemModel('linux:generic', o), hzOf('linux:generic', o)),
  'kara-2013': (o) => (known('kara-2013', o, []), kara2013Strategy()),
  'bueso-rw': (o) => (known('bueso-rw', o, []), buesoRwStrategy()),
  'list-rl': (o) => (known('list-rl', o, []), listRangeStrategy()),
  'segment-bitmap': (o) => {
    // (the option names are the ones the strategy's options and result labels show)
    known('segment-bitmap', o, ['segments', 'minSegmentBytes']);
    const segments = wholeNumber('segment-bitmap', 'segments', o.segments ?? '64', SEGMENTS_RANGE);
    return segmentBitmapStrategy(segments, wholeNumber('segment-bitmap', 'minSegmentBytes', o.minSegmentBytes ?? '65536', MIN_SEGMENT_BYTES_RANGE));
  },
  'two-state': (o) => (known('two-state', o, []), twoStateStrategy()),
  'btrfs-extent': (o) => (known('btrfs-extent', o, []), btrfsExtentStrategy()),
  'lustre-write': (o) => (known('lustre-write', o, []), lustreWriteStrategy()),
};

function rwsemModel(strategy: string, o: Record<string, string>): 'linux' | 'fifo' {
  known(strategy, o, ['rwsem', 'hz']);
  return oneOf(strategy, 'rwsem', o.rwsem ?? 'linux', ['linux', 'fifo'] as const);
}

/**
 * The ranges of the numeric options (README and docs/strategies.md say them): `segments`, the
 * segment bitmap's bits (the design is one 64-bit word); `minSegmentBytes`, up to 1 TiB (a
 * segment larger than the file is one segment for all of it); `hz`, the modelled kernel's
 * CONFIG_HZ (a Linux rwsem's hand-off timeout is in jiffies).
 */
interface NumberRange {
  min: number;
  max: number;
  /** what the range is, for the message */
  why?: string;
}
export const SEGMENTS_RANGE: NumberRange = { min: 1, max: 64, why: 'the bits of one 64-bit word' };
export const MIN_SEGMENT_BYTES_RANGE: NumberRange = { min: 1, max: 2 ** 40, why: '1 TiB' };
export const HZ_RANGE: NumberRange = { min: 100, max: 10_000, why: "the kernel's CONFIG_HZ: 100, 250, 300 or 1000" };

function hzOf(strategy: string, o: Record<string, string>): number {
  return wholeNumber(strategy, 'hz', o.hz ?? String(DEFAULT_HZ), HZ_RANGE);
}

/** A numeric option's value: decimal digits only (not 0x3e8, 1e3, +5 or 2.0), within its range. */
function wholeNumber(strategy: string, key: string, value: string, range: NumberRange): number {
  const n = /^[0-9]{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= range.min && n <= range.max)) {
    const why = range.why === undefined ? '' : ` (${range.why})`;
    throw new LockreplayError(`${strategy}: ${key} must be a whole number from ${range.min} to ${range.max}${why}, in decimal digits, not "${value}"`, ExitCode.usage);
  }
  return n;
}

function known(strategy: string, options: Record<string, string>, allowed: string[]): void {
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new LockreplayError(`${strategy}: unknown option "${k}"; it takes ${allowed.length > 0 ? allowed.join(', ') : 'no options'}`, ExitCode.usage);
  }
}

function oneOf<T extends string>(strategy: string, key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new LockreplayError(`${strategy}: ${key} must be ${allowed.join(' or ')}, not "${value}"`, ExitCode.usage);
  return value as T;
}

function bool(strategy: string, key: string, value: string): boolean {
  if (value === 'true' || value === '1' || value === 'yes') return true;
  if (value === 'false' || value === '0' || value === 'no') return false;
  throw new LockreplayError(`${strategy}: ${key} must be true or false (or yes/no, 1/0), not "${value}"`, ExitCode.usage);
}

export function strategyNames(): string[] {
  return Object.keys(FACTORIES);
}

/** the built-in strategies that model the Linux rwsem, whose hand-off timeout is in jiffies (option `hz`) */
const HZ_STRATEGIES = /^(linux:(xfs|ext4|generic)|i-rwsem)(:|$)/;

/**
 * A spec with the capture's CONFIG_HZ (`kernelHz`, from the trace header) as its `hz` option, when
 * it is a built-in Linux rwsem strategy that names none: "linux:xfs" → "linux:xfs:hz=1000". Any
 * other spec, or no kernelHz, is returned as it is.
 */
export function withKernelHz(spec: string, kernelHz: number | undefined): string {
  const s = spec.trim();
  const m = HZ_STRATEGIES.exec(s);
  if (kernelHz === undefined || m === null) return spec;
  const options = s.slice(m[1].length + 1);
  if (/(^|,)\s*hz\s*=/.test(options)) return spec;
  return options.trim() === '' ? `${m[1]}:hz=${kernelHz}` : `${s},hz=${kernelHz}`;
}

/**
 * Makes a strategy from "NAME" or "NAME:key=value,key=value" (e.g. "range-lock:fairness=reader-pref",
 * "range-lock:prefault=true,buffered=page").
 */
export function createStrategy(spec: string): Strategy {
  expectString(spec, 'strategy spec');
  let [name, rest] = splitOnce(spec.trim(), ':');
  // linux:PROFILE[:options]
  if (name === 'linux') {
    const [profile, more] = splitOnce(rest ?? '', ':');
    if (!(LINUX_PROFILES as readonly string[]).includes(profile)) throw new LockreplayError(`linux needs a profile: ${LINUX_PROFILES.map((p) => `linux:${p}`).join(', ')}`, ExitCode.usage);
    name = `linux:${profile}`;
    rest = more;
  }
  // (an own name only: "constructor" or "toString" is not a strategy, though every object has one)
  const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
  if (factory === undefined) {
    throw new LockreplayError(`unknown strategy "${name}"; known: ${strategyNames().join(', ')} (see: lockreplay strategies)`, ExitCode.usage);
  }
  return markChecked(markPlansFromViews(factory(parseStrategyOptions(rest ?? '', spec))));
}

/**
 * A spec's options, `key=value,key=value` (blanks around each trimmed), as an object without a
 * prototype (a key such as "__proto__" is an option like any other); a part that is not key=value,
 * or a key given twice, is a usage error naming `spec`. `hint` follows the first of those messages.
 */
export function parseStrategyOptions(text: string, spec: string, hint = ''): Record<string, string> {
  const options = Object.create(null) as Record<string, string>;
  if (text === '') return options;
  for (const kv of text.split(',')) {
    const [k, v] = splitOnce(kv, '=');
    if (v === undefined || k.trim() === '') throw new LockreplayError(`strategy option "${kv}" in "${spec}": expected key=value${hint}`, ExitCode.usage);
    const key = k.trim();
    // the last of two values is not "the" value: a typo or a pasted spec, refused
    if (key in options) throw new LockreplayError(`strategy option "${key}" given twice in "${spec}"`, ExitCode.usage);
    options[key] = v.trim();
  }
  return options;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
