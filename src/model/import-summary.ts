/** What an import says about its input: plain data (`lockreplay import --json`, schema lockreplay-import/1). */
import type { LineAccounting } from './result.js';

export const INPUT_FORMATS = ['auto', 'ftrace', 'trace-cmd', 'blkparse', 'csv', 'fio-iolog', 'ops'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type ConcreteFormat = Exclude<InputFormat, 'auto'>;

export interface ImportSummary {
  schema: 'lockreplay-import/1';
  input: string;
  format: ConcreteFormat;
  /** how the format was read: the CSV mapping with its units and polarity, the text dialect */
  formatDetail?: string;
  /** CPUs named by the trace header (#P:N or cpus=N), if any (a count of 0 is left out, with a note) */
  cpus?: number;
  /** the header's CPU count when it was not one (#P:0): ignored */
  headerCpusIgnored?: number;
  /**
   * the capture's kernel's CONFIG_HZ (`# lockreplay kernel: ... HZ=N`, written by lockreplay record):
   * replays model the Linux rwsem's hand-off timeout, which is in jiffies, with it
   */
  kernelHz?: number;
  lostEvents: number;
  bytes: number;
  lines: LineAccounting;
  /** an op stream input: where its own lines went (`lines` is the accounting of the trace it was made from) */
  opStreamLines?: LineAccounting;
  ops: { total: number; byKind: Record<string, number>; byFile: Record<string, Record<string, number>> };
  observedLocks: number;
  /** the scheduler's wakes kept (sched_wakeup → switch-in pairs; only when the trace has any) */
  schedWakes?: number;
  /** the traced tasks' sleeps kept (switch-out asleep → switch-in; only when the trace has any) */
  schedSleeps?: number;
  firstTsNs?: number;
  lastTsNs?: number;
  /** things a user should know about how ops were derived */
  notes: string[];
  /**
   * Files identified only after ops on them were released: provisional key (fd:TGID:FD, or a device
   * name with an inode) → the file. `loadTrace` and op-stream input rename those ops.
   */
  fileAliases?: Record<string, string>;
  /**
   * the filesystem type of each device that holds a file of the ops, from the capture's mounts
   * (`# lockreplay mount:` lines, written by lockreplay record): "7:0" → "xfs"; only when it has them
   */
  fileSystems?: Record<string, string>;
}
