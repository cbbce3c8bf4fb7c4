/**
 * What a replay did, event by event, for exporters that draw the schedule (Perfetto): optional,
 * off the hot path when not asked for. Times are virtual ns; ops are indices into the replayed ops.
 */
export interface ScheduleLog {
  /** an op waited for a lock from `fromNs` to `toNs` (spun: it kept its CPU meanwhile) */
  lockWait(opIndex: number, lockClass: string, mode: string, rangeStart: number, rangeEnd: number, fromNs: number, toNs: number, spun: boolean): void;
  /** an op held a lock from `fromNs` to `toNs` */
  lockHold(opIndex: number, lockClass: string, mode: string, rangeStart: number, rangeEnd: number, fromNs: number, toNs: number): void;
  /** an op waited for a CPU from `fromNs` to `toNs` */
  cpuWait(opIndex: number, fromNs: number, toNs: number): void;
  /** a release by `fromOp` granted a lock `toOp` was waiting for, at `atNs` */
  wake(fromOp: number, toOp: number, atNs: number): void;
}
