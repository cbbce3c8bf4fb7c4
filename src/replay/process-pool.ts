/**
 * Runs strategies in worker processes beside this one. Each process has its own V8 heap and helper
 * threads (its compiler and collector), which worker threads share: on a 2-core machine two
 * threads replayed slower than one (docs/performance.md). Asked for (`--threads`), the processes
 * start before the trace is read (they load the engine meanwhile); by compare's default, once the
 * import has counted the ops (docs/performance.md, "The default"). The ops go to them once, packed
 * into typed arrays and string tables, with the op table, in a file each reads when it is ready.
 * Then every process, this one included, claims the next strategy by creating its file in a
 * directory of claims (an exclusive create: no round trip through this process's event loop, which
 * is busy replaying too), so a process that finishes early takes more. Results are put in the
 * order of the specs: the same as a serial run.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { onInterrupt } from '../util/cleanup.js';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { serialize } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimOptions } from '../engine/simulator.js';
import type { StrategyResult } from '../model/result.js';
import { ExitCode, LockreplayError } from '../errors.js';
import type { OpTable } from '../engine/op-table.js';
import type { PackedOps, StrategyPool } from './pool.js';
import type { OpColumns } from '../model/op-columns.js';

/** What a worker process gets once the ops are known. */
export interface ProcessJob {
  packed: PackedOps;
  table: OpTable;
  serviceNs: Float64Array;
  simOptions: SimOptions;
  specs: string[];
  /** the directory of claims (one file per strategy index, created by the process that runs it) */
  claims: string;
  /** whether to send progress messages */
  progress: boolean;
}

/** parent → worker: where the job is (a file of v8.serialize) */
export type ToWorker = { jobFile: string };

/** worker → parent */
export type FromWorker =
  | { progress: [index: number, ops: number] }
  | { index: number; result: StrategyResult }
  | { index: number; error: { message: string; exitCode?: number } }
  | { done: true };

/** Claims the next strategy index nobody has claimed, from `from` on; undefined when none is left. */
export function claimNext(dir: string, from: number, count: number): number | undefined {
  for (let i = from; i < count; i++) {
    try {
      const fd = openSync(join(dir, String(i)), 'wx');
      // (who runs it, for anyone looking)
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return i;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return undefined;
}

/** Claims every index left, so that no process starts another strategy (after a failure). */
function claimAll(dir: string, count: number): void {
  for (let i = claimNext(dir, 0, count); i !== undefined; i = claimNext(dir, i + 1, count)) {
    // (claimed: nobody runs it)
  }
}

export class ReplayProcessPool implements StrategyPool {
  private readonly children: ChildProcess[];
  /** why a process ended before its job was handed over */
  private readonly earlyEnd = new Map<ChildProcess, Error>();
  private used = false;
  /** what each process wrote to stderr (the reason it died, if it did) */
  private readonly stderrOf = new Map<ChildProcess, () => string>();

  /** why a process ended: its exit code or signal, and the first error line it printed */
  private endOf(c: ChildProcess, code: number | null, signal: NodeJS.Signals | null): string {
    const printed = (this.stderrOf.get(c)?.() ?? '').split('\n').map((l) => l.trim()).find((l) => /FATAL ERROR|Error|error/.test(l));
    return `${signal ?? `exit code ${code}`}${printed !== undefined ? `: ${printed}` : ''}`;
  }

  /**
   * `threads`: processes replaying at once, this one included (threads - 1 workers). `optional`:
   * parallelism nobody asked for (compare's default): if the ops cannot be handed to the workers
   * (no writable temporary directory, no room in it), this process replays every strategy itself
   * instead of failing, and tells `optional.onSerial` why.
   */
  constructor(readonly threads: number, private readonly optional?: { onSerial(reason: string): void }) {
    const script = new URL('./process-worker.js', import.meta.url);
    const heap = process.execArgv.some((a) => a.startsWith('--max-old-space-size')) ? [] : ['--max-old-space-size=8192'];
    this.children = Array.from({ length: Math.max(0, threads - 1) }, () => {
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
      c.on('error', (e) => this.earlyEnd.set(c, e));
      c.on('exit', (code, signal) => {
        if (!this.earlyEnd.has(c)) this.earlyEnd.set(c, new LockreplayError(`a replay worker process ended before its work (${this.endOf(c, code, signal)})`, ExitCode.internal));
      });
      return c;
    });
  }

  /** Ends the processes at once, whatever they are doing (a failure, an interrupt). */
  private kill(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
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
   * Runs the strategies on this process and the pool's: each claims the next strategy when it has
   * finished one. Results are placed by the index of their spec, whichever process ran what.
   * `progress`, when given, gets the ops replayed so far per strategy.
   */
  async run(ops: OpColumns, table: OpTable, serviceNs: Float64Array, simOptions: SimOptions, specs: string[], runHere: (spec: string, index: number) => Promise<StrategyResult>, progress?: Int32Array): Promise<StrategyResult[]> {
    if (this.used) throw new LockreplayError('a replay pool runs one job', ExitCode.internal);
    this.used = true;
    // the job goes through a file, and only its name through the channel: this process's replays
    // block its event loop, which would have to write a large message while the worker reads it
    let claims: string | undefined;
    let jobFile: string;
    let forgetInterrupt: (() => void) | undefined;
    try {
      claims = mkdtempSync(join(tmpdir(), 'lockreplay-claims-'));
      const made = claims;
      // (an interrupted compare leaves no job file of 100 bytes an op in $TMPDIR, and no worker
      // process: one whose strategy's plan() never returns would not see its parent go)
      forgetInterrupt = onInterrupt(() => {
        this.kill();
        rmSync(made, { recursive: true, force: true });
      });
      const { onProgress: _drop, ...cloneable } = simOptions;
      const job: ProcessJob = { packed: ops.pack(), table, serviceNs, simOptions: cloneable, specs, claims, progress: progress !== undefined };
      jobFile = join(claims, 'job');
      writeFileSync(jobFile, serialize(job));
    } catch (err) {
      if (claims !== undefined) rmSync(claims, { recursive: true, force: true });
      forgetInterrupt?.();
      await this.close();
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      if (this.optional === undefined) throw new LockreplayError(`cannot hand the ops to the worker processes through a file in ${tmpdir()} (${why}): set TMPDIR to a writable directory with room, or replay with --threads 1`, ExitCode.outputFailed);
      this.optional.onSerial(`the worker processes could not be given the ops through a file in ${tmpdir()} (${why}): the strategies are replayed one after the other`);
      const results: StrategyResult[] = [];
      for (let i = 0; i < specs.length; i++) results.push(await runHere(specs[i], i));
      return results;
    }
    const dir = claims;
    try {
      const results: (StrategyResult | undefined)[] = new Array(specs.length);
      let failure: Error | undefined;
      const fail = (err: Error): void => {
        failure ??= err;
        // nobody starts more work, and the work under way is ended: its results would not be used,
        // and the failure would wait for it (forever for a plan() that never returns)
        claimAll(dir, specs.length);
        this.kill();
      };
      const finished = this.children.map((c) => new Promise<void>((resolve) => {
        const early = this.earlyEnd.get(c);
        if (early !== undefined) {
          fail(early);
          resolve();
          return;
        }
        c.ref();
        c.channel?.ref();
        let done = false;
        c.on('message', (m: FromWorker) => {
          if ('progress' in m) {
            if (progress !== undefined) Atomics.store(progress, m.progress[0], m.progress[1]);
          } else if ('done' in m) {
            done = true;
          } else if ('error' in m) {
            fail(m.error.exitCode !== undefined ? new LockreplayError(m.error.message, m.error.exitCode as never) : new Error(m.error.message));
          } else {
            results[m.index] = m.result;
            if (progress !== undefined) Atomics.store(progress, m.index, ops.n);
          }
        });
        c.on('error', (err) => {
          fail(err);
          resolve();
        });
        // an end before 'done' (killed, out of memory) is a failure; this side must not wait forever
        // ('close': the process has ended and its pipes, the message channel too, are read to the end)
        c.on('close', (code, signal) => {
          if (!done) fail(new LockreplayError(`a replay worker process ended before its results (${this.endOf(c, code, signal)})`, ExitCode.internal));
          resolve();
        });
        c.send({ jobFile } satisfies ToWorker);
      }));
      for (let i = claimNext(dir, 0, specs.length); i !== undefined; i = claimNext(dir, i + 1, specs.length)) {
        try {
          results[i] = await runHere(specs[i], i);
        } catch (err) {
          fail(err as Error);
        }
        // let the event loop read what the workers sent meanwhile (results, progress)
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await Promise.all(finished);
      if (failure !== undefined) throw failure;
      if (results.some((r) => r === undefined)) throw new LockreplayError('a worker process ended without its results', ExitCode.internal);
      return results as StrategyResult[];
    } finally {
      rmSync(dir, { recursive: true, force: true });
      forgetInterrupt?.();
    }
  }
}
