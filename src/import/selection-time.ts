/**
 * The --from/--to window of a selection on the clock of the op times, and the note that says why a
 * window left no op. A CSV trace with epoch times (csv-clock.ts) counts its op times from the first
 * row's: there a value of 2^53 ns or more (9007199.254740992 s, about 104 days: no offset into a
 * block trace is that large) is a time since 1970 (UTC), taken exactly to ns after the first row.
 */

/** from this value on (ns), a --from/--to on a trace that counts from its first row is a time since 1970 */
export const ABSOLUTE_FROM_NS = 1n << 53n;

/** how the op times of a trace run, for the window and its note */
export interface SelectionClock {
  /** the first op's time, when --from/--to are relative (+S): they count from it */
  relativeBaseNs?: number;
  /** the time (ns since 1970) the op times count from, for a CSV trace with epoch times */
  originNs?: bigint;
}

/**
 * A --from/--to value `valueNs` (exactly `exactNs`, when the caller read it from decimal digits) as
 * a time on the op times' clock.
 */
export function windowBoundNs(valueNs: number, exactNs: bigint | undefined, clock: SelectionClock): number {
  if (clock.relativeBaseNs !== undefined) return clock.relativeBaseNs + valueNs;
  if (clock.originNs !== undefined) {
    // (a double from 2^53 on is a whole number)
    const exact = exactNs ?? (valueNs >= Number(ABSOLUTE_FROM_NS) ? BigInt(valueNs) : undefined);
    // before the first row it is negative: --from keeps every op, --to none, as a relative value below 0
    if (exact !== undefined && exact >= ABSOLUTE_FROM_NS) return Number(exact - clock.originNs);
  }
  return valueNs;
}

/** whole `ns` as decimal seconds, exact, without trailing zeros: 1172163602.3061629 */
export function secondsText(ns: bigint): string {
  if (ns < 0n) return `-${secondsText(-ns)}`;
  const whole = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

export interface EmptyWindow {
  /** the --from/--to values as given (ns; exactly, when known) */
  from?: { ns: number; exactNs?: bigint };
  to?: { ns: number; exactNs?: bigint };
  /** where they are on the op times' clock */
  fromNs: number;
  toNs: number;
  /** the first and last time of the ops the window was applied to */
  firstNs: number;
  lastNs: number;
  /** --file or --task chose those ops */
  narrowed: boolean;
  clock: SelectionClock;
}

/** how the note below starts (replay repeats it in its warning when it has no op) */
export const EMPTY_WINDOW_NOTE = 'the time selection left no op: ';

/** The summary's note when a time window left no op of those it was applied to: where the ops are. */
export function emptyWindowNote(w: EmptyWindow): string {
  const { clock } = w;
  const epoch = clock.originNs !== undefined && clock.relativeBaseNs === undefined;
  const plus = clock.relativeBaseNs !== undefined ? '+' : '';
  const given = (v: { ns: number; exactNs?: bigint }): string => `${plus}${secondsText(v.exactNs ?? BigInt(Math.round(v.ns)))}`;
  const sec = (ns: number): string => secondsText(BigInt(Math.round(ns)));
  /** op times in the units --from/--to take: one, or the span from `a` to `b` (on an epoch trace, since 1970 too if `since1970`) */
  const at = (a: number, b = a, since1970 = true): string => {
    const span = (f: (ns: number) => string): string => (a === b ? f(a) : `${f(a)} to ${f(b)}`);
    if (clock.relativeBaseNs !== undefined) return `${span((ns) => `+${sec(ns - (clock.relativeBaseNs as number))}`)} s`;
    if (!epoch) return `${span(sec)} s`;
    const origin = clock.originNs as bigint;
    return `${span(sec)} s after the first row${since1970 ? ` (${span((ns) => secondsText(origin + BigInt(Math.round(ns))))} s since 1970)` : ''}`;
  };
  const whose = w.narrowed ? 'the ops --file/--task keep' : 'the trace\'s ops';
  const [first, last] = w.narrowed ? ['the first op --file/--task keep', 'the last op --file/--task keep'] : ['the trace\'s first op', 'the trace\'s last op'];
  const why = w.from !== undefined && w.fromNs > w.lastNs ? `--from ${given(w.from)} is after ${last} (${at(w.lastNs, w.lastNs, false)})`
    : w.to !== undefined && w.toNs < w.firstNs ? `--to ${given(w.to)} is before ${first} (${at(w.firstNs, w.firstNs, false)})`
    : `no op lies between${w.from !== undefined ? ` --from ${given(w.from)}` : ' the start'} and${w.to !== undefined ? ` --to ${given(w.to)}` : ' the end'}`;
  const span = w.firstNs === w.lastNs ? `${whose} are all at ${at(w.firstNs)}` : `${whose} run from ${at(w.firstNs, w.lastNs)}`;
  const units = epoch ? `; on this trace --from and --to take seconds after the first row, or seconds since 1970 from ${secondsText(ABSOLUTE_FROM_NS)} on` : '';
  return `${EMPTY_WINDOW_NOTE}${why}; ${span}${units}`;
}
