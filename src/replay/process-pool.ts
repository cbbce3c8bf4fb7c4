/**
 * Runs strategies in worker processes. Each process has its own V8 heap and helper threads (its
 * compiler and collector), which worker threads share: on a 2-core machine two threads replayed
 * slower than one (docs/performance.md). The processes start before the trace is read (they load
 * the engine meanwhile); the ops go to each once, packed into typed arrays and string tables, with
 * the op table; this process hands out strategies one at a time as processes finish them (it
 * replays nothing itself, so it answers at once), and puts the results in the order of the specs.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Op } from '../model/op.js';
import type { SimOptions } from '../engine/simulator.js';
import type { StrategyResult } from '../model/result.js';
import { ExitCode, LockreplayError } from '../errors.js';
import type { OpTable } from '../engine/op-table.js';
import { type PackedOps, packOps, type StrategyPool } from './pool.js';

/** What a worker process gets once the ops are known. */
export interface ProcessJob {
  packed: PackedOps;
  table: OpTable;
  serviceNs: Float64Array;
  simOptions: SimOptions;
  specs: string[];
  /** whether to send progress messages */
  progress: boolean;
}

/** parent → worker */
export type ToWorker = { job: ProcessJob } | { run: number } | { stop: true };
/** worker → parent */
export type FromWorker =
  | { progress: [index: number, ops: number] }
  | { index: number; result: StrategyResult }
  | { index: number; error: { message: string; exitCode?: number } };

export class ReplayProcessPool implements StrategyPool {
  private readonly children: ChildProcess[];
  /** why a process ended before its job was handed over */
  private readonly earlyEnd = new Map<ChildProcess, Error>();
  private used = false;
  /** what each process wrote to stderr (the reason it died, if it did) */
  private readonly stderrOf = new Map<ChildProcess, () => string>();

  /** why a process ended: its exit code or signal, and the first line of what it printed */
  private endOf(c: ChildProcess, code: number | null, signal: NodeJS.Signals | null): string {
    const printed = (this.stderrOf.get(c)?.() ?? '').split('\n').map((l) => l.trim()).find((l) => /FATAL ERROR|Error|error/.test(l));
    return `${signal ?? `exit code ${code}`}${printed !== undefined ? `: ${printed}` : ''}`;
  }

  constructor(readonly threads: number) {
    const script = new URL('./process-worker.js', import.meta.url);
    const heap = process.execArgv.some((a) => a.startsWith('--max-old-space-size')) ? [] : ['--max-old-space-size=8192'];
    this.children = Array.from({ length: Math.max(1, threads) }, () => {
      // (stderr is kept: a process that dies says why in the error, not as a stack trace of its own)
      const c = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [...process.execArgv, ...heap] });
      let err = '';
      c.stderr?.setEncoding('utf8');
      c.stderr?.on('data', (d: string) => {
        if (err.length < 65536) err += d;
      });
      this.stderrOf.set(c, () => err);
      (c.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      // idle processes must not keep this one alive (an import that fails ends the command)
      c.unref();
      c.channel?.unref();
      c.on('error', (err) => this.earlyEnd.set(c, err));
      c.on('exit', (code, signal) => {
        if (!this.earlyEnd.has(c)) this.earlyEnd.set(c, new LockreplayError(`a replay worker process ended before its work (${this.endOf(c, code, signal)})`, ExitCode.internal));
      });
      return c;
    });
  }

  /** Ends the processes (idempotent; run() ends them itself). */
  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) {
        resolve();
        return;
      }
      c.once('exit', () => resolve());
      // (an idle process is unreferenced: without this the wait for its exit would not keep this one alive)
      c.ref();
      c.kill();
    })));
  }

  /**
   * Runs the strategies on the pool's processes: each gets the next strategy when it sends the
   * last one's result, so a process that finishes early takes more. Results are placed by the
   * index of their spec: the same as a serial run, whichever process ran what. `progress`, when
   * given, gets the ops replayed so far per strategy.
   */
  async run(ops: readonly Op[], table: OpTable, serviceNs: Float64Array, simOptions: SimOptions, specs: string[], _runHere: unknown, progress?: Int32Array): Promise<StrategyResult[]> {
    if (this.used) throw new LockreplayError('a replay pool runs one job', ExitCode.internal);
    this.used = true;
    const results: (StrategyResult | undefined)[] = new Array(specs.length);
    let next = 0;
    let failure: Error | undefined;
    const fail = (err: Error): void => {
      failure ??= err;
      // nobody gets more work
      next = specs.length;
    };
    const { onProgress: _drop, ...cloneable } = simOptions;
    const job: ProcessJob = { packed: packOps(ops), table, serviceNs, simOptions: cloneable, specs, progress: progress !== undefined };
    const finished = this.children.map((c) => new Promise<void>((resolve) => {
      const early = this.earlyEnd.get(c);
      if (early !== undefined) {
        fail(early);
        resolve();
        return;
      }
      c.ref();
      c.channel?.ref();
      let stopped = false;
      const give = (): void => {
        if (next < specs.length) {
          const i = next++;
          if (progress !== undefined) Atomics.store(progress, i, 0);
          c.send({ run: i } satisfies ToWorker);
        } else {
          stopped = true;
          c.send({ stop: true } satisfies ToWorker);
        }
      };
      c.on('message', (m: FromWorker) => {
        if ('progress' in m) {
          if (progress !== undefined) Atomics.store(progress, m.progress[0], m.progress[1]);
          return;
        }
        if ('error' in m) fail(m.error.exitCode !== undefined ? new LockreplayError(m.error.message, m.error.exitCode as never) : new Error(m.error.message));
        else {
          results[m.index] = m.result;
          if (progress !== undefined) Atomics.store(progress, m.index, ops.length);
        }
        give();
      });
      c.on('error', (err) => {
        fail(err);
        resolve();
      });
      // an exit before 'stop' (killed, out of memory) is a failure; this side must not wait forever
      c.on('exit', (code, signal) => {
        if (!stopped) fail(new LockreplayError(`a replay worker process ended before its results (${this.endOf(c, code, signal)})`, ExitCode.internal));
        resolve();
      });
      c.send({ job } satisfies ToWorker);
      give();
    }));
    await Promise.all(finished);
    if (failure !== undefined) throw failure;
    if (results.some((r) => r === undefined)) throw new LockreplayError('a worker process ended without its results', ExitCode.internal);
    return results as StrategyResult[];
  }
}
