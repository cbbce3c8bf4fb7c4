import { Flags } from '@oclif/core';
import type { ImportOptions } from '../import/index.js';
import { inputFlags, inputOptionsFrom } from './input-flags.js';
import { selectionFlags, selectionOptions } from './selection-flags.js';
import { parseCosts, type ReplayOptions } from '../replay/index.js';
import { CPU_MODELS, type CpuModel } from '../engine/simulator.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { MAX_CPUS } from '../import/limits.js';
import { decimalNumber } from './decimal.js';

/** --cpu-model, of replay, compare and fidelity */
export const cpuModelFlag = Flags.string({ description: 'when a task holds a CPU: per-segment (for each share of work or lock cost only; the plan\'s steps between them run on none) or preempt-none (as a kernel without preemption runs a syscall: from the op\'s start until it sleeps or the op ends, a task that woke queued for a CPU ahead of tasks starting an op; docs/costs.md)', options: [...CPU_MODELS], default: 'per-segment' });

/** Flags shared by replay and compare: input selection and the simulation model. */
export const replayFlags = {
  mode: Flags.string({ description: 'closed: an op issues when the previous one of its task completed plus the recorded think time; open: at its trace timestamp × --time-scale', options: ['closed', 'open'], default: 'closed' }),
  'time-scale': Flags.string({ description: 'open mode: multiply trace inter-arrival times by X (0.05 = 20x faster arrivals)', default: '1' }),
  'no-mmap-lock': Flags.boolean({ description: 'do not model each process\'s mmap_lock (faults S, mmap/munmap X, DIO S for get_user_pages)' }),
  spin: Flags.string({ description: 'optimistic spinning of sleeping locks: a mutex or rwsem-writer waiter whose lock\'s single owner runs spins on its CPU instead of sleeping (docs/costs.md)', options: ['on', 'off'], default: 'on' }),
  'cpu-model': cpuModelFlag,
  'keep-observed-waits': Flags.boolean({ description: 'leave the lock waits the kernel recorded (lock:contention_* events) in the ops\' service times, as before they were removed' }),
  cost: Flags.string({ description: 'lock operation costs, KEY=NS,... (atomicNs, cacheMissNs, wakeupNs, spinBaseNs, perNodeNs; docs/costs.md)' }),
  cpus: Flags.integer({ description: `CPUs that do work at once, at most ${MAX_CPUS.toLocaleString('en-US')} (default: the trace header #P:N, else 1)`, min: 1, max: MAX_CPUS }),
  ...inputFlags,
  ...selectionFlags,
  json: Flags.boolean({ description: 'print the result JSON on stdout' }),
  out: Flags.string({ char: 'o', description: 'write the result JSON here (atomically), or - for stdout instead of the table' }),
  html: Flags.string({ description: 'also write the HTML report here (self-contained), or - for stdout instead of the table' }),
  md: Flags.string({ description: 'also write a Markdown table here (and append it to $GITHUB_STEP_SUMMARY when set), or - for stdout instead of the table' }),
  perfetto: Flags.string({ description: 'also write the simulated schedule here as Chrome trace-event JSON (open it in ui.perfetto.dev): ops, lock waits and holds, CPU queueing, wake-ups, one process per strategy; or - for stdout instead of the table' }),
  hgrm: Flags.string({ description: 'also write one HdrHistogram .hgrm per strategy and op kind into this directory (made if missing)' }),
};

export function importOptionsFrom(flags: Parameters<typeof inputOptionsFrom>[0] & { file?: string[]; task?: string[]; from?: string; to?: string }): ImportOptions {
  return { ...inputOptionsFrom(flags), ...selectionOptions(flags) };
}

export function replayOptionsFrom(flags: { mode: string; 'time-scale': string; cpus?: number; 'no-mmap-lock'?: boolean; spin?: string; 'cpu-model'?: string; 'keep-observed-waits'?: boolean; cost?: string }): ReplayOptions {
  // decimal only (Number() took "0x10" as 16, and "" as 0)
  const scale = flags['time-scale'];
  const timeScale = decimalNumber(scale);
  // (1e400 is Infinity: refused here, before the trace is read, naming the value as given)
  if (!(timeScale > 0 && Number.isFinite(timeScale))) throw new LockreplayError(`--time-scale ${scale.trim() === '' ? JSON.stringify(scale) : scale}: expected a positive decimal number, e.g. 0.05${timeScale === Infinity ? ' (this one is beyond the largest number)' : ''}`, ExitCode.usage);
  const o: ReplayOptions = { mode: flags.mode as 'closed' | 'open', timeScale, cpus: flags.cpus, mmapLock: !flags['no-mmap-lock'], spin: flags.spin !== 'off', keepObservedWaits: flags['keep-observed-waits'] ?? false, costs: parseCosts(flags.cost) };
  if (flags['cpu-model'] !== undefined && flags['cpu-model'] !== 'per-segment') o.cpuModel = flags['cpu-model'] as CpuModel;
  return o;
}
