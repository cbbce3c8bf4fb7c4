/**
 * The one output path of every command that produces a result (replay, compare): the result JSON on
 * stdout (--json) or the table, and the files asked for (--out, --html, --md, --hgrm, --perfetto),
 * each named after the table (or on stderr when stdout is the JSON).
 */
import { type Stats, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ReplayResult } from '../model/result.js';
import { resultJson } from '../report/json.js';
import { addSideOutputs, appendJobSummary, wroteLines, type Written } from '../report/emit.js';
import { checkOutputPath, isStdStream, OutputBatch, stdStreamOf } from '../util/output.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { settleModuleCode } from '../util/late-exit.js';

export interface ResultOutputFlags {
  json?: boolean;
  out?: string;
  html?: string;
  md?: string;
  hgrm?: string;
  perfetto?: string;
}

/** the file flags that may name stdout ("-"), in the order the help lists them */
const TO_STDOUT = ['out', 'html', 'md', 'hgrm', 'perfetto'] as const;

/**
 * Stdout takes one output: the table, the result JSON (--json, or --out -), or one file flag given
 * "-" (or /dev/stdout, /dev/fd/1, /proc/self/fd/1: the same stream). Two of them there would be mixed
 * into something no reader can parse: refused (exit 2), before any work; so are two file flags on
 * stderr (/dev/stderr). Returns the flag that takes stdout, if one does.
 */
export function checkStdoutUse(flags: ResultOutputFlags): string | undefined {
  refuseEmptyOutputs(resultOutputs(flags));
  const hgrm = flags.hgrm;
  if (hgrm !== undefined && isStdStream(hgrm)) throw new LockreplayError(`--hgrm ${hgrm} : --hgrm names a directory (one .hgrm file per strategy and op kind), not ${stdStreamOf(hgrm) === 1 ? 'stdout' : 'stderr'}`, ExitCode.usage);
  for (const [fd, name] of [[1, 'stdout'], [2, 'stderr']] as const) {
    const claims = TO_STDOUT.filter((f) => flags[f] !== undefined && stdStreamOf(flags[f] as string) === fd);
    if (claims.length > 1) throw new LockreplayError(`${claims.map((f) => `--${f} ${flags[f]}`).join(' and ')} would all write to ${name}: give all but one of them a file`, ExitCode.usage);
  }
  const claim = TO_STDOUT.find((f) => flags[f] !== undefined && stdStreamOf(flags[f] as string) === 1);
  if (flags.json === true && claim !== undefined && claim !== 'out') throw new LockreplayError(`--json prints the result JSON on stdout, and --${claim} ${flags[claim]} would write there too: give --${claim} a file`, ExitCode.usage);
  return claim;
}

/**
 * Refuses (exit 2) an output flag given an empty or blank path, naming it, before any work: an unset
 * variable (`--out "$OUT"`). It was taken for a file: the whole run was made and then failed to
 * put it in place (exit 6, `: cannot write (ENOENT)`), and an empty --hgrm wrote its files into
 * the working directory.
 */
export function refuseEmptyOutputs(outputs: { flag: string; path: string | undefined; dir?: boolean }[]): void {
  for (const { flag, path, dir } of outputs) {
    if (path !== undefined && path.trim() === '') throw new LockreplayError(`--${flag} ${JSON.stringify(path)}: an empty path (an unset variable?): give ${dir === true || flag === 'hgrm' ? 'a directory' : 'a file, or - for standard output'}`, ExitCode.usage);
  }
}

/** the output flags of replay and compare, as refuseEmptyOutputs takes them */
export function resultOutputs(flags: ResultOutputFlags): { flag: string; path: string | undefined }[] {
  return TO_STDOUT.map((flag) => ({ flag, path: flags[flag] }));
}

/**
 * Refuses (exit 2) an output file that is the input trace itself, by any path or link (the same
 * device and inode): `--out trace.csv` replaced the trace with the result. Checked before any work.
 */
export function refuseOutputOverInput(flags: ResultOutputFlags, inputPath: string): void {
  refuseOutputsOverInputs(resultOutputs(flags), [inputPath], 'trace');
}

/**
 * Refuses (exit 2) an output file that is one of the strategy files of the run (a JS module or a
 * JSON rules table, by any path or link): `compare -s ./rules.json --out rules.json` replaced the
 * rules table with the result. Checked before any work.
 */
export function refuseOutputOverStrategies(flags: ResultOutputFlags, strategyFiles: (string | undefined)[]): void {
  refuseOutputsOverInputs(resultOutputs(flags), strategyFiles.filter((f): f is string => f !== undefined), 'strategy file');
}

/**
 * Refuses (exit 2) an output that is one of the inputs (by any path or link: the same device and
 * inode): `report r.json --out r.json` replaced the result with its report. `what` names the
 * inputs ("trace", "result"). Checked before any work.
 */
export function refuseOutputsOverInputs(outputs: { flag: string; path: string | undefined }[], inputPaths: string[], what: string): void {
  const inputs: { path: string; st: Stats }[] = [];
  for (const path of inputPaths) {
    if (isStdStream(path)) continue;
    try {
      inputs.push({ path, st: statSync(path) });
    } catch {
      // (an unreadable input fails on its own, with its own exit code)
    }
  }
  for (const { flag, path } of outputs) {
    if (path === undefined || isStdStream(path)) continue;
    let output: Stats;
    try {
      output = statSync(path);
    } catch {
      continue; // a new file: not an input
    }
    const input = inputs.find((i) => output.dev === i.st.dev && output.ino === i.st.ino);
    if (input !== undefined) {
      throw new LockreplayError(`--${flag} ${path} is the input ${what} ${input.path}: writing there would replace the ${what}; name another file`, ExitCode.usage);
    }
  }
}

/**
 * Refuses (exit 2) two output flags that name one file, by any path or link: both would write one
 * temporary file and the second rename would fail after the first had replaced the file with half
 * of each. Checked before any work.
 */
export function refuseSharedOutputs(flags: ResultOutputFlags): void {
  const seen = new Map<string, string>();
  for (const flag of TO_STDOUT) {
    const path = flags[flag];
    if (path === undefined || isStdStream(path) || flag === 'hgrm') continue;
    let key: string;
    try {
      const st = statSync(path);
      key = `${st.dev}:${st.ino}`;
    } catch {
      key = `new:${resolve(path)}`; // a new file: the same path names it
    }
    const other = seen.get(key);
    if (other !== undefined) throw new LockreplayError(`--${other} and --${flag} name the same file (${path}): give each output its own file`, ExitCode.usage);
    seen.set(key, flag);
  }
}

/**
 * Checks, before any work, that every output flag names something that can be written (exit 6
 * naming it): a bad path fails in milliseconds, not after the replay. Missing directories are made
 * only when the outputs are written (util/output.ts checkOutputPath).
 */
export function checkOutputPaths(flags: ResultOutputFlags): void {
  for (const flag of TO_STDOUT) {
    const path = flags[flag];
    if (path !== undefined) checkOutputPath(path, flag === 'hgrm');
  }
}

/** the files a replay or compare read: no output may replace one */
export interface RunInputs {
  trace: string;
  strategyFiles: (string | undefined)[];
}

/**
 * Writes the files asked for and prints the result; `table` formats it, `schedule` makes the Perfetto
 * JSON (piece by piece, through `write`). All or nothing: every file is written to its temporary file first and put in place only
 * when all are written (a destination that cannot be written left the others replaced).
 */
export async function emitResult(result: ReplayResult, flags: ResultOutputFlags, inputs: RunInputs, table: (r: ReplayResult) => string, schedule: (write: (piece: string) => void) => Promise<void> | void): Promise<void> {
  const toStdout = checkStdoutUse(flags);
  // (an error a strategy module's code left pending, a rejected promise, is reported before anything is written or printed)
  await settleModuleCode();
  const json = resultJson(result);
  const written: Written[] = [];
  const batch = new OutputBatch();
  // (checked again as each file is added: an --hgrm directory's files are named only now)
  batch.protect([inputs.trace], 'trace');
  batch.protect(inputs.strategyFiles.filter((f): f is string => f !== undefined), 'strategy file');
  let markdown: string | undefined;
  try {
    if (flags.out !== undefined) {
      batch.add(flags.out, json);
      written.push({ path: flags.out, what: 'the result JSON' });
    }
    const side = addSideOutputs(result, flags, batch);
    written.push(...side.written);
    markdown = side.markdown;
    if (flags.perfetto !== undefined) {
      // (written as it is made: a long schedule's JSON is more than one string can hold)
      await batch.addPieces(flags.perfetto, schedule);
      written.push({ path: flags.perfetto, what: 'the simulated schedule, Chrome trace-event JSON for ui.perfetto.dev' });
    }
    await batch.commit();
  } catch (err) {
    batch.abort();
    throw err;
  }
  if (markdown !== undefined) appendJobSummary(markdown);
  // where each file went: after the table, or on stderr when stdout is the JSON or a file's bytes
  const wrote = wroteLines(written);
  if (toStdout !== undefined) {
    // (--out -, with or without --json: the JSON once)
    process.stderr.write(wrote);
  } else if (flags.json) {
    process.stdout.write(json);
    process.stderr.write(wrote);
  } else {
    process.stdout.write(`${table(result)}${wrote === '' ? '' : `\n${wrote}`}`);
  }
}
