import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { type ImportOptions, loadTrace } from '../src/import/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TRACES = join(ROOT, 'traces');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export function trace(name: string): string {
  return join(TRACES, name);
}

/** fio's own per-job IO counts from the *.fio.json beside a capture. */
export function fioJobs(name: string): Record<string, { read: number; write: number; trim: number }> {
  const json = JSON.parse(readFileSync(join(TRACES, name), 'utf8')) as {
    jobs: { jobname: string; read: { total_ios: number }; write: { total_ios: number }; trim: { total_ios: number } }[];
  };
  const out: Record<string, { read: number; write: number; trim: number }> = {};
  for (const j of json.jobs) out[j.jobname] = { read: j.read.total_ios, write: j.write.total_ios, trim: j.trim.total_ios };
  return out;
}

/** a run of the CLI that takes longer than this is a hang: the test fails naming the command */
/** an op stream of two overlapping ops on one file: a replay of a few milliseconds */
export const TWO_OVERLAPPING_OPS = [
  '# lockreplay-ops v2',
  'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns',
  'op,0,1000,500,7,7,t,7:0:9,read,0,4096,,1,,,',
  'op,1,1200,500,8,8,t,7:0:9,write,0,4096,,2,,,',
  '',
].join('\n');

export const CLI_TIMEOUT_MS = 60_000;

/** Runs the built CLI (npm test builds first). */
export function cli(args: string[], input?: string | Buffer, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const base: Record<string, string | undefined> = { ...process.env, CI: '1' };
  delete base.GITHUB_STEP_SUMMARY;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { input, encoding: 'utf8', cwd: ROOT, maxBuffer: 1 << 28, env: { ...base, ...env }, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`lockreplay ${args.join(' ')}: did not finish within ${CLI_TIMEOUT_MS / 1000} s (a hang?)`);
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function within(actual: number, expected: number, fraction: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1, expected * fraction);
}

/** The message of the usage error (exit 2) `spec` gets from createStrategy, or "no error". */
export function strategySpecError(createStrategy: (spec: string) => unknown, spec: string): string {
  try {
    createStrategy(spec);
  } catch (e) {
    if ((e as { exitCode?: number }).exitCode !== 2) throw e;
    return (e as Error).message;
  }
  return 'no error';
}

/** Writes `lines` (each byte a char: latin1) as the file `name` in `dir`, each line ended; returns its path. */
export function writeLines(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`, 'latin1');
  return path;
}

/** Imports `path` and checks that every line is accounted for (used + skipped + bad = total). */
export async function loadAccounted(path: string, options: ImportOptions = {}): ReturnType<typeof loadTrace> {
  const r = await loadTrace(path, options);
  const l = r.summary.lines;
  expect(l.used + Object.values(l.skipped).reduce((a, b) => a + b, 0) + l.bad, 'used + skipped + bad').toBe(l.total);
  return r;
}

/**
 * A buffered 4 KiB write (pwrite64 enter, xfs_file_buffered_write, exit) in trace-cmd report's
 * layout: `prefix` (an input's or buffer's name and ": ", or nothing), the comm right-justified in 16
 * columns, "-PID" (left-justified in 5), `cpu` (3 digits); times 100.000000 s + `us` µs (+2, +10).
 */
export function traceCmdWrite(prefix: string, comm: string, pid: number, us: number, pos: string, cpu = '000'): string[] {
  const p = `${prefix}${comm.padStart(16)}-${String(pid).padEnd(5)} [${cpu}]`;
  const at = (d: number): string => `100.${String(us + d).padStart(6, '0')}`;
  return [
    `${p} ${at(0)}: sys_enter_pwrite64:   fd: 0x00000003, buf: 0x7f0000000000, count: 0x00001000, pos: 0x${pos}`,
    `${p} ${at(2)}: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x1000000 pos 0x${pos} bytecount 0x1000`,
    `${p} ${at(10)}: sys_exit_pwrite64:    0x1000`,
  ];
}

/** A tracefs event line of task fio-PID (its TGID column the pid), CPU 0, at 100 s + `us` µs: the captures' layout. */
export function fioLine(pid: number, us: number, text: string): string {
  return `             fio-${pid}     (    ${pid}) [000] ..... 100.${String(us).padStart(6, '0')}: ${text}`;
}
