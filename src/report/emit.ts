/**
 * Turns results into the bytes of each output format, and sends them where they go. The one place
 * that decides about destinations: "-" is stdout, a path is written atomically, a directory (hgrm)
 * gets one file per strategy and op kind.
 */
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
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
export async function writeHgrmDir(results: ReplayResult[], dir: string, inputs: string[] = []): Promise<{ files: string[]; replaced: number; others: string[] }> {
  const batch = new OutputBatch();
  batch.protect(inputs, 'result');
  let files: string[];
  let others: string[];
  let replaced: number;
  try {
    ({ files, others } = addHgrmDir(results, dir, batch));
    // (the files of an earlier report of the same names are replaced, as --out replaces a file: said)
    replaced = files.filter((f) => existsSync(f)).length;
    await batch.commit();
  } catch (err) {
    batch.abort();
    throw err;
  }
  return { files, replaced, others };
}

/**
 * Adds one .hgrm per strategy and op kind in `dir` (made now, if needed, and removed again if the
 * batch is not committed) to `batch`; returns their paths, and the names of the .hgrm files already
 * in `dir` that this run does not write (an earlier run's, of other strategies: left there).
 */
function addHgrmDir(results: ReplayResult[], dir: string, batch: OutputBatch): { files: string[]; others: string[] } {
  const before = hgrmNamesIn(dir);
  batch.makeDir(dir);
  const files: string[] = [];
  for (const [i, r] of results.entries()) {
    for (const [name, text] of hgrmFiles(r)) {
      const file = join(dir, results.length > 1 ? `${i + 1}.${name}` : name);
      batch.add(file, text);
      files.push(file);
    }
  }
  const ours = new Set(files.map((f) => basename(f)));
  return { files, others: before.filter((name) => !ours.has(name)) };
}

/** the names of the .hgrm files (not directories) in `dir`, sorted; none when it is not a directory we can list */
function hgrmNamesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.name.endsWith('.hgrm') && !e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** how many names a note lists before "and N more" */
const NAMED_OTHERS = 5;

/**
 * The line saying that `others`, .hgrm files in `dir` of an earlier run, are not from this run
 * (so that no one reads a stale file as this run's); "" when there are none.
 */
export function otherHgrmNote(dir: string, others: string[]): string {
  if (others.length === 0) return '';
  const named = others.slice(0, NAMED_OTHERS).map(terminalSafe).join(', ');
  const more = others.length > NAMED_OTHERS ? `, and ${others.length - NAMED_OTHERS} more` : '';
  return `note: ${others.length} other .hgrm ${others.length === 1 ? 'file' : 'files'} in ${terminalSafe(dir)} ${others.length === 1 ? 'is' : 'are'} not from this run (left as they were): ${named}${more}\n`;
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
  /** a line printed after the "wrote" line (ending in a line break), if any */
  note?: string;
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
    const { files, others } = addHgrmDir([result], flags.hgrm, batch);
    written.push({ path: flags.hgrm, what: `${files.length} .hgrm files, one per strategy and op kind`, note: otherHgrmNote(flags.hgrm, others) });
  }
  return { written, ...(markdown !== undefined ? { markdown } : {}) };
}

/** "wrote PATH (what it is)" per file written (standard output and error, "-" or /dev/stdout, left out) */
export function wroteLines(written: Written[]): string {
  return written.filter((w) => !isStdStream(w.path)).map((w) => `wrote ${terminalSafe(w.path)} (${w.what})\n${w.note ?? ''}`).join('');
}
