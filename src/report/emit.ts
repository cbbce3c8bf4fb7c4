/**
 * Turns results into the bytes of each output format, and sends them where they go. The one place
 * that decides about destinations: "-" is stdout, a path is written atomically, a directory (hgrm)
 * gets one file per strategy and op kind.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayResult } from '../model/result.js';
import { isStdStream, OutputBatch } from '../util/output.js';
import { terminalSafe } from '../util/terminal.js';
import { resultCsv } from './csv.js';
import { hgrmFiles } from './hgrm.js';
import { resultsHtml } from './html.js';
import { resultJson } from './json.js';
import { compareMarkdown } from './markdown.js';
import { formatCompare } from './table.js';
import { ExitCode, LockreplayError } from '../errors.js';

export const REPORT_FORMATS = ['table', 'md', 'html', 'hgrm', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(results: ReplayResult[], format: Exclude<ReportFormat, 'hgrm'>): string {
  if (!(REPORT_FORMATS as readonly string[]).includes(format) || format === ('hgrm' as string)) throw new LockreplayError(`report format "${String(format)}": expected one of ${REPORT_FORMATS.filter((f) => f !== 'hgrm').join(', ')}`, ExitCode.usage);
  switch (format) {
    case 'table': return results.map(formatCompare).join('\n');
    case 'md': return results.map(compareMarkdown).join('\n');
    case 'html': return resultsHtml(results);
    case 'csv': return resultCsv(results);
    default: return results.length === 1 ? resultJson(results[0]) : `${JSON.stringify(results, (_k, v) => (v === Infinity ? null : v), 2)}\n`;
  }
}

/**
 * Writes one .hgrm per strategy and op kind into a directory (created if needed), all or none; a
 * file there that is one of `inputs` (the results read, by any path or link) is refused (exit 2).
 */
export async function writeHgrmDir(results: ReplayResult[], dir: string, inputs: string[] = []): Promise<{ files: string[]; replaced: number }> {
  const batch = new OutputBatch();
  batch.protect(inputs, 'result');
  let files: string[];
  let replaced: number;
  try {
    files = addHgrmDir(results, dir, batch);
    // (the files of an earlier report of the same names are replaced, as --out replaces a file: said)
    replaced = files.filter((f) => existsSync(f)).length;
    await batch.commit();
  } catch (err) {
    batch.abort();
    throw err;
  }
  return { files, replaced };
}

/** Adds one .hgrm per strategy and op kind in `dir` (made now, if needed, and removed again if the batch is not committed) to `batch`; returns their paths. */
function addHgrmDir(results: ReplayResult[], dir: string, batch: OutputBatch): string[] {
  batch.makeDir(dir);
  const files: string[] = [];
  for (const [i, r] of results.entries()) {
    for (const [name, text] of hgrmFiles(r)) {
      const file = join(dir, results.length > 1 ? `${i + 1}.${name}` : name);
      batch.add(file, text);
      files.push(file);
    }
  }
  return files;
}

/** Markdown also goes to the GitHub job summary when $GITHUB_STEP_SUMMARY names a file. */
export function appendJobSummary(markdown: string): void {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (path === undefined || path === '') return;
  try {
    appendFileSync(path, markdown);
  } catch (err) {
    throw new LockreplayError(`$GITHUB_STEP_SUMMARY ${path}: cannot append (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.outputFailed);
  }
}

/** A file a command wrote, and what it holds ("the result JSON"), for the "wrote ..." lines. */
export interface Written {
  path: string;
  what: string;
}

/**
 * Adds the --html / --md / --hgrm side outputs of replay and compare to `batch` (in place when it is
 * committed); returns what goes to files, and the Markdown for the job summary (appended once the
 * outputs are in place).
 */
export function addSideOutputs(result: ReplayResult, flags: { html?: string; md?: string; hgrm?: string }, batch: OutputBatch): { written: Written[]; markdown?: string } {
  const written: Written[] = [];
  let markdown: string | undefined;
  if (flags.html !== undefined) {
    batch.add(flags.html, renderReport([result], 'html'));
    written.push({ path: flags.html, what: 'the HTML report' });
  }
  if (flags.md !== undefined) {
    markdown = renderReport([result], 'md');
    batch.add(flags.md, markdown);
    written.push({ path: flags.md, what: 'the Markdown table' });
  }
  if (flags.hgrm !== undefined) {
    const files = addHgrmDir([result], flags.hgrm, batch);
    written.push({ path: flags.hgrm, what: `${files.length} .hgrm files, one per strategy and op kind` });
  }
  return { written, ...(markdown !== undefined ? { markdown } : {}) };
}

/** "wrote PATH (what it is)" per file written (standard output and error, "-" or /dev/stdout, left out) */
export function wroteLines(written: Written[]): string {
  return written.filter((w) => !isStdStream(w.path)).map((w) => `wrote ${terminalSafe(w.path)} (${w.what})\n`).join('');
}
