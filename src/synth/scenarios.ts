/**
 * Synthetic scenarios (`lockreplay synth`): ftrace-format traces of the situations the 2012 thread
 * and docs/strategies.md describe (scenarios A and B), small enough to read, deterministic for a seed.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import { expectOptions, expectString } from '../util/arguments.js';
import { type OpEmitter, type SynthTask } from './ftrace-writer.js';
import type { Prng } from '../util/prng.js';
import { mergedLines, type Actor } from './stream.js';

export interface SynthOptions {
  seed: number;
  /** tasks (scenario-specific meaning, see SCENARIOS) */
  tasks?: number;
  /** ops per task, or repetitions of the pattern */
  ops?: number;
}

interface Scenario {
  summary: string;
  defaults: { tasks: number; ops: number };
  /** the scenario is a fixed cast of defaults.tasks tasks (each with its part): --tasks cannot change it */
  fixedTasks?: boolean;
  /** the fewest tasks that still play every role of the scenario (default 1), and why */
  minTasks?: { tasks: number; why: string };
  /**
   * The scenario's actors, in the order they draw their random numbers: each emits its events one
   * step (an op, or a repetition of a fixed cast) at a time, yielding after each (synth/stream.ts).
   */
  actors(tasks: number, ops: number): Actor[];
}

/** One actor per task k < tasks, made by `taskActor`. */
const perTask = (tasks: number, taskActor: (k: number) => Actor): Actor[] => Array.from({ length: tasks }, (_, k) => taskActor(k));

const US = 1000;
const PAGE = 4096;
const T0 = 100e9; // traces start at 100 s of the trace clock

const task = (comm: string, pid: number, tgid: number, cpu = 0): SynthTask => ({ comm, pid, tgid, cpu });

/** single-page-storm's truncater; storm task k is 4000 + k, skipping it (from 1,000 tasks) */
const TRUNCATER_PID = 4999;
const stormPid = (k: number): number => (4000 + k < TRUNCATER_PID ? 4000 + k : 4000 + k + 1);

export const SCENARIOS: Record<string, Scenario> = {
  'seed-race': {
    summary: 'mmap faults and hole punches on the same pages: page locks alone do not serialise them',
    defaults: { tasks: 4, ops: 200 },
    minTasks: { tasks: 2, why: 'half the tasks fault, half punch: one task would be a faulter with nothing to race' },
    actors(tasks, ops) {
      const faulters = Math.max(1, Math.ceil(tasks / 2));
      const region = 64 * PAGE;
      return perTask(tasks, (k) => function* (e, rnd) {
        const isFaulter = k < faulters;
        const t = isFaulter ? task('mmapread', 1000 + k, 1000, k % 2) : task('punch', 2000 + k, 2000 + k, k % 2);
        let ts = T0 + rnd.int(0, 50) * US;
        for (let i = 0; i < ops; i++) {
          if (isFaulter) {
            const dur = rnd.int(5, 40) * US;
            e.fault(t, ts, dur, rnd.int(0, region / PAGE - 1) * PAGE, rnd.next() < 0.3);
            ts += dur + rnd.int(1, 30) * US;
          } else {
            const dur = rnd.int(20, 80) * US;
            e.punch(t, ts, dur, rnd.int(0, region / PAGE - 4) * PAGE, 4 * PAGE);
            ts += dur + rnd.int(50, 200) * US;
          }
          yield;
        }
      });
    },
  },
  'seed-deadlock': {
    summary: 'scenario A (docs/strategies.md): a buffered write from an mmap of the same range, and a punch arriving between the write taking its range and its fault',
    defaults: { tasks: 2, ops: 1 },
    fixedTasks: true,
    actors: (_tasks, ops) => [function* (e, rnd) {
      const writer = task('writer', 201, 200, 0);
      const puncher = task('puncher', 301, 300, 1);
      for (let i = 0; i < ops; i++) {
        const base = T0 + i * 1000 * US;
        const off = i * 64 * PAGE;
        const jitter = rnd.int(0, 5) * US;
        // the write copies from a mapping of its own range: the copy faults on page 2 of it
        e.bufferedWrite(writer, base, 100 * US, off, 4 * PAGE, { atNs: 50 * US, durNs: 10 * US, pageOff: off + 2 * PAGE });
        e.punch(puncher, base + 20 * US + jitter, 30 * US, off, 4 * PAGE);
        yield;
      }
    }],
  },
  'dio-gup-mmap': {
    summary: 'scenario B (docs/strategies.md): a DIO write holding its range exclusively while pinning pages, a fault in the same process, and a munmap queued on mmap_lock',
    defaults: { tasks: 4, ops: 1 },
    fixedTasks: true,
    actors: (_tasks, ops) => [function* (e, rnd) {
      const dio = task('dio', 401, 400, 0);
      const faulter = task('faulter', 402, 400, 1);
      const unmapper = task('unmapper', 403, 400, 1);
      const reader = task('reader', 501, 500, 0);
      for (let i = 0; i < ops; i++) {
        const base = T0 + i * 1000 * US;
        const off = i * 64 * PAGE;
        const jitter = rnd.int(0, 2) * US;
        // a buffered reader holds the range shared, so the DIO's exclusive request queues first
        e.bufferedRead(reader, base, 50 * US, off, 16 * PAGE);
        e.dioWrite(dio, base + 5 * US, 40 * US, off, 16 * PAGE);
        e.fault(faulter, base + 10 * US + jitter, 10 * US, off + 4 * PAGE, false);
        e.munmap(unmapper, base + 20 * US + jitter, 5 * US);
        yield;
      }
    }],
  },
  'disjoint-writers': {
    summary: 'N buffered writers, each on its own region of one file',
    defaults: { tasks: 4, ops: 500 },
    actors(tasks, ops) {
      const region = 4096 * PAGE;
      return perTask(tasks, (k) => function* (e, rnd) {
        const t = task('writer', 3000 + k, 3000 + k, k % 2);
        let ts = T0 + rnd.int(0, 20) * US;
        for (let i = 0; i < ops; i++) {
          const dur = rnd.int(5, 20) * US;
          e.bufferedWrite(t, ts, dur, k * region + rnd.int(0, region / PAGE - 1) * PAGE, PAGE);
          ts += dur + rnd.int(10, 100) * US;
          yield;
        }
      });
    },
  },
  'shared-rw': {
    summary: 'N tasks (separate processes) doing random 4 KiB buffered reads and writes, half each, with no think time, on one shared 64 MiB file',
    defaults: { tasks: 4, ops: 2000 },
    actors(tasks, ops) {
      const pages = 16384;
      return perTask(tasks, (k) => function* (e, rnd) {
        const t = task('rw', 6000 + k, 6000 + k, k % 2);
        let ts = T0;
        for (let i = 0; i < ops; i++) {
          const off = rnd.int(0, pages - 1) * PAGE;
          if (rnd.next() < 0.5) {
            const dur = rnd.int(2, 6) * US;
            e.bufferedRead(t, ts, dur, off, PAGE);
            ts += dur;
          } else {
            const dur = rnd.int(4, 12) * US;
            e.bufferedWrite(t, ts, dur, off, PAGE);
            ts += dur;
          }
          yield;
        }
      });
    },
  },
  'single-page-storm': {
    summary: 'many tasks faulting single pages of a small file, with occasional truncates',
    defaults: { tasks: 8, ops: 200 },
    actors(tasks, ops) {
      const pages = 16;
      const storm = perTask(tasks, (k) => function* (e, rnd) {
        const t = task('storm', stormPid(k), 4000, k % 2);
        let ts = T0 + rnd.int(0, 20) * US;
        for (let i = 0; i < ops; i++) {
          const dur = rnd.int(2, 10) * US;
          e.fault(t, ts, dur, rnd.int(0, pages - 1) * PAGE, rnd.next() < 0.5);
          ts += dur + rnd.int(1, 20) * US;
          yield;
        }
      });
      const truncates = function* (e: OpEmitter, rnd: Prng): Generator<void, void, void> {
        const truncater = task('truncate', TRUNCATER_PID, TRUNCATER_PID, 1);
        let ts = T0 + 100 * US;
        for (let i = 0; i < Math.max(1, Math.floor(ops / 20)); i++) {
          e.truncate(truncater, ts, 20 * US, rnd.int(pages / 2, pages) * PAGE);
          ts += rnd.int(200, 800) * US;
          yield;
        }
      };
      return [...storm, truncates];
    },
  },
};

/**
 * The bounds of --tasks and --ops. The trace is streamed, but each task is an actor held in memory
 * while it runs (about 7 KB: 100,000 take some 700 MB); a billion ops per task keep every
 * timestamp below 2^53 ns (exact) in every scenario.
 */
export const MAX_TASKS = 100_000;
export const MAX_OPS = 1_000_000_000;
/** the largest --seed: the generator's state is 32 bits, and a larger seed would be reduced to one of these */
export const MAX_SEED = 2 ** 32 - 1;

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}

/** The trace text of a scenario, whole (a library call; `synth` streams it: scenarioLines). Same options, same bytes. */
export function synthesize(name: string, options: SynthOptions): string {
  const lines = [...scenarioLines(name, options)];
  lines.push('');
  return lines.join('\n');
}

/**
 * The lines of a scenario's trace (without line breaks), made as they are asked for: memory stays
 * small whatever --ops (it grows with --tasks: one actor each). Options are checked before the
 * first line.
 */
export function scenarioLines(name: string, options: SynthOptions): Generator<string, void, void> {
  expectString(name, 'scenario');
  const sc = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (sc === undefined) throw new LockreplayError(`unknown scenario "${name}"; known: ${scenarioNames().join(', ')}`, ExitCode.usage);
  expectOptions(options, 'synthesize options');
  // (the library's synthesize: the seed is required, the rest defaults)
  if (options === undefined) throw new LockreplayError('synthesize options: give { seed } at least (the same seed gives the same bytes)', ExitCode.usage);
  const tasks = options.tasks ?? sc.defaults.tasks;
  const ops = options.ops ?? sc.defaults.ops;
  if (!Number.isInteger(tasks) || tasks < 1 || tasks > MAX_TASKS) throw new LockreplayError(`--tasks must be a whole number from 1 to ${MAX_TASKS.toLocaleString('en-US')}, not ${tasks}`, ExitCode.usage);
  if (!Number.isInteger(ops) || ops < 1 || ops > MAX_OPS) throw new LockreplayError(`--ops must be a whole number from 1 to ${MAX_OPS.toLocaleString('en-US')}, not ${ops}`, ExitCode.usage);
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > MAX_SEED) throw new LockreplayError(`--seed must be a whole number from 0 to ${MAX_SEED}, not ${options.seed}`, ExitCode.usage);
  if (sc.minTasks !== undefined && tasks < sc.minTasks.tasks) throw new LockreplayError(`--tasks ${tasks}: ${name} needs ${sc.minTasks.tasks} or more (${sc.minTasks.why})`, ExitCode.usage);
  if (sc.fixedTasks === true && tasks !== sc.defaults.tasks) throw new LockreplayError(`--tasks ${tasks}: ${name} is a fixed cast of ${sc.defaults.tasks} tasks, each with its own part (--ops repeats the scenario)`, ExitCode.usage);
  return mergedLines(2, `${name} seed=${options.seed} tasks=${tasks} ops=${ops}`, options.seed, () => sc.actors(tasks, ops));
}
