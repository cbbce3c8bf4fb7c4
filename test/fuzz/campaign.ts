/**
 * Runs a property with fast-check and, when it fails, writes fast-check's shrunk counterexample as a
 * file (the input itself, ready to run) with a JSON note beside it (seed, path, error) to the
 * reproducer folder: FUZZ_OUT, default fuzz-out/ (gitignored). The input being run is kept at
 * FUZZ_OUT/current-NAME-PID.EXT while it runs, so a hang that never returns leaves it behind too.
 *
 * FUZZ_RUNS (runs per property) and FUZZ_SEED set a campaign; `npm test` runs a short seeded one,
 * `npm run fuzz -- --runs N --seed S` a long one (scripts/fuzz.js).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../helpers.js';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_200);
/** scale of a campaign: the runs of one property (each property takes a share of it, see runsOf) */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const OUT = process.env.FUZZ_OUT ?? 'fuzz-out';
export const FUZZ_OUT_DIR = isAbsolute(OUT) ? OUT : join(ROOT, OUT);

/** The runs of a property: FUZZ_RUNS when set, else its short default (the `npm test` campaign). */
export function runsOf(shortDefault: number, share = 1): number {
  return FUZZ_RUNS > 0 ? Math.max(1, Math.round(FUZZ_RUNS * share)) : shortDefault;
}

/** where the input being run is written (a file the importers read; one per process: campaigns may run side by side) */
export function currentPath(name: string, ext: string): string {
  mkdirSync(FUZZ_OUT_DIR, { recursive: true });
  return join(FUZZ_OUT_DIR, `current-${name}-${process.pid}.${ext}`);
}

export interface CampaignReport {
  name: string;
  runs: number;
  seed: number;
}

/** Runs `property` over `arb`; a failure writes its shrunk input (`toFile`) and throws fast-check's report. */
export async function campaign<T>(name: string, arb: fc.Arbitrary<T>, property: (value: T) => Promise<void>, toFile: (value: T) => { ext: string; bytes: Buffer | string }, runs: number): Promise<CampaignReport> {
  const details = await fc.check(fc.asyncProperty(arb, property), { numRuns: runs, seed: FUZZ_SEED });
  if (details.failed && details.counterexample !== null) {
    const [value] = details.counterexample;
    const { ext, bytes } = toFile(value);
    mkdirSync(FUZZ_OUT_DIR, { recursive: true });
    const base = join(FUZZ_OUT_DIR, `${name}-seed${FUZZ_SEED}-run${details.numRuns}`);
    writeFileSync(`${base}.${ext}`, bytes);
    writeFileSync(`${base}.json`, `${JSON.stringify({ property: name, seed: FUZZ_SEED, path: details.counterexamplePath, shrunk: value, error: String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance) }, null, 2)}\n`);
    throw new Error(`${name}: property failed; the shrunk input is ${base}.${ext}\n${fc.defaultReportMessage(details)}`);
  }
  if (details.failed) throw new Error(fc.defaultReportMessage(details));
  // passed: the input last run is of no use
  for (const f of readdirSync(FUZZ_OUT_DIR)) if (f.startsWith(`current-${name}-${process.pid}.`)) rmSync(join(FUZZ_OUT_DIR, f), { force: true });
  return { name, runs: details.numRuns, seed: FUZZ_SEED };
}

/** One line per property, appended to FUZZ_OUT/summary.jsonl (the long campaign's record). */
export function record(report: CampaignReport & { ms: number; outcomes: Record<string, number> }): void {
  mkdirSync(FUZZ_OUT_DIR, { recursive: true });
  writeFileSync(join(FUZZ_OUT_DIR, 'summary.jsonl'), `${JSON.stringify(report)}\n`, { flag: 'a' });
}
