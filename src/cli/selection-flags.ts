/** One selection flag set, for every command that reads a trace: --file, --task, --from, --to. */
import { Flags } from '@oclif/core';
import { ExitCode, LockreplayError } from '../errors.js';
import type { ImportOptions } from '../import/index.js';
import { scaledDecimal } from '../import/csv-clock.js';
import { fileSelectorKey } from '../import/selection.js';
import { ABSOLUTE_FROM_NS, secondsText } from '../import/selection-time.js';
import { parseFileSelector } from '../model/op.js';
import { decimalNumber } from './decimal.js';

export const selectionFlags = {
  file: Flags.string({ description: 'only ops on this file: DEV:INO (7:0:0x85, 254,0:2154529), or a file key as the op stream writes it (blk:7:0, vol:3, file:/data/f); repeatable', multiple: true }),
  task: Flags.string({ description: 'only ops of this task, by PID or COMM; repeatable', multiple: true }),
  from: Flags.string({ description: 'only ops issued at or after S seconds (trace clock; +S = from the first event; a CSV with epoch times: after its first row, from 9007199.254740992 on since 1970)' }),
  to: Flags.string({ description: 'only ops issued at or before S seconds (trace clock; +S = from the first event; a CSV with epoch times: after its first row, from 9007199.254740992 on since 1970)' }),
};

/** --file / --task / --from / --to → builder options (shared with replay and compare). */
export function selectionOptions(flags: { file?: string[]; task?: string[]; from?: string; to?: string }): Pick<ImportOptions, 'files' | 'taskPids' | 'taskComms' | 'fromNs' | 'toNs' | 'timesRelative' | 'fromExactNs' | 'toExactNs'> {
  const o: ReturnType<typeof selectionOptions> = {};
  if (flags.file && flags.file.length > 0) {
    o.files = new Set(flags.file.map((f) => {
      const key = fileSelectorKey(f, parseFileSelector);
      if (key === undefined) throw new LockreplayError(`--file ${f}: expected DEV:INO such as 7:0:0x85 or 254,0:2154529, or a file key such as blk:7:0 (block devices), vol:3 (CSV volumes), file:/data/f (fio iolog files), fd:PID:FD or fd:PID:FD/N`, ExitCode.usage);
      return key;
    }));
  }
  if (flags.task && flags.task.length > 0) {
    // (an empty one is an unset variable: it selected no task, and the replay of nothing passed)
    if (flags.task.includes('')) throw new LockreplayError('--task "": expected a PID or a COMM (an unset variable?)', ExitCode.usage);
    o.taskPids = new Set(flags.task.filter((t) => /^\d+$/.test(t)).map(Number));
    o.taskComms = new Set(flags.task.filter((t) => !/^\d+$/.test(t)));
  }
  const seconds = (name: string, v: string): number => {
    // decimal seconds only: Number() read "" and " " as 0 (an unset variable kept the first instant) and "0x10" as 16
    const n = decimalNumber(v.startsWith('+') ? v.slice(1) : v);
    if (!Number.isFinite(n) || n < 0) throw new LockreplayError(`--${name} ${v === '' ? '""' : v}: expected seconds, e.g. 617.8 or +0.5`, ExitCode.usage);
    return Math.round(n * 1e9);
  };
  const rel = (flags.from?.startsWith('+') ?? false) || (flags.to?.startsWith('+') ?? false);
  if ((flags.from !== undefined && flags.to !== undefined) && flags.from.startsWith('+') !== flags.to.startsWith('+')) {
    throw new LockreplayError('--from and --to must both be absolute or both relative (+S)', ExitCode.usage);
  }
  // (exactly too, from the digits: on a CSV trace with epoch times, one past 2^53 ns is a time since 1970)
  const exactNs = (v: string, ns: number): bigint | undefined => scaledDecimal(v.startsWith('+') ? v.slice(1) : v, 9) ?? (Number.isFinite(ns) ? BigInt(ns) : undefined);
  if (flags.from !== undefined) {
    o.fromNs = seconds('from', flags.from);
    const exact = exactNs(flags.from, o.fromNs);
    if (exact !== undefined) o.fromExactNs = exact;
  }
  if (flags.to !== undefined) {
    o.toNs = seconds('to', flags.to);
    const exact = exactNs(flags.to, o.toNs);
    if (exact !== undefined) o.toExactNs = exact;
  }
  const fromAfterTo = o.fromExactNs !== undefined && o.toExactNs !== undefined ? o.fromExactNs > o.toExactNs : o.fromNs !== undefined && o.toNs !== undefined && o.fromNs > o.toNs;
  if (fromAfterTo) {
    // (one a time since 1970 on an epoch CSV, the other seconds after its first row: say so)
    const mixed = o.fromExactNs !== undefined && o.toExactNs !== undefined && !rel && o.fromExactNs >= ABSOLUTE_FROM_NS && o.toExactNs < ABSOLUTE_FROM_NS;
    const hint = mixed ? ` (on a CSV trace with epoch times, a value from ${secondsText(ABSOLUTE_FROM_NS)} on is seconds since 1970, a smaller one seconds after the first row)` : '';
    throw new LockreplayError(`--from ${flags.from} is after --to ${flags.to}: the window holds no instant${hint}`, ExitCode.usage);
  }
  if (rel) o.timesRelative = true;
  return o;
}
