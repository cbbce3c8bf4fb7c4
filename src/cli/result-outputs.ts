/**
 * The one output path of every command that produces a result (replay, compare): the result JSON on
 * stdout (--json) or the table, and the files asked for (--out, --html, --md, --hgrm, --perfetto),
 * each named after the table (or on stderr when stdout is the JSON).
 */
import type { ReplayResult } from '../model/result.js';
import { resultJson } from '../report/json.js';
import { writeSideOutputs, wroteLines, type Written } from '../report/emit.js';
import { writeOutput } from '../util/output.js';

export interface ResultOutputFlags {
  json?: boolean;
  out?: string;
  html?: string;
  md?: string;
  hgrm?: string;
  perfetto?: string;
}

/** Writes the files asked for and prints the result; `table` formats it, `schedule` makes the Perfetto JSON. */
export async function emitResult(result: ReplayResult, flags: ResultOutputFlags, table: (r: ReplayResult) => string, schedule: () => Promise<string> | string): Promise<void> {
  const json = resultJson(result);
  const written: Written[] = [];
  if (flags.out !== undefined) {
    await writeOutput(flags.out, json);
    written.push({ path: flags.out, what: 'the result JSON' });
  }
  written.push(...await writeSideOutputs(result, flags));
  if (flags.perfetto !== undefined) {
    await writeOutput(flags.perfetto, await schedule());
    written.push({ path: flags.perfetto, what: 'the simulated schedule, Chrome trace-event JSON for ui.perfetto.dev' });
  }
  // where each file went: after the table, or on stderr when stdout is the JSON
  const wrote = wroteLines(written);
  if (flags.json) {
    process.stdout.write(json);
    process.stderr.write(wrote);
  } else {
    process.stdout.write(`${table(result)}${wrote === '' ? '' : `\n${wrote}`}`);
  }
}
