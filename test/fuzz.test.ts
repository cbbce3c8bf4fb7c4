/**
 * The fuzz campaign (test/fuzz/): mutated real lines of every input format through the importers
 * and replay, arbitrary op streams through every built-in strategy, and a few runs of the CLI for
 * its exit codes. `npm test` runs a short seeded campaign; `npm run fuzz -- --runs N --seed S` a
 * long one. A failure writes fast-check's shrunk input to fuzz-out/ (see test/fuzz/campaign.ts).
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { strategyNames } from '../src/strategies/index.js';
import { cli } from './helpers.js';
import { campaign, currentPath, FUZZ_RUNS, record, runsOf } from './fuzz/campaign.js';
import { corpora, type Corpus } from './fuzz/corpus.js';
import { type FuzzInput, fuzzInput, render } from './fuzz/mutate.js';
import { buildOps, loadedTrace, opSpecs, replayOptions } from './fuzz/ops.js';
import { checkImport, checkReplay, closeLeakedFds, DOCUMENTED_EXIT_CODES, expectSaneNumbers } from './fuzz/properties.js';

/** every built-in strategy, and the options that change a plan */
const STRATEGIES = [...strategyNames(), 'range-lock:fairness=reader-pref', 'range-lock:fairness=nested-shared-ok', 'range-lock:prefault=true', 'range-lock:buffered=page', 'segment-bitmap:segments=1,minSegmentBytes=1'];
const CORPORA = await corpora();
/** a long campaign's time per property (vitest's own timeout is per test) */
const TIMEOUT_MS = FUZZ_RUNS > 0 ? 24 * 3600_000 : 120_000;

/** what the runs of a property came to (exit codes, runs that replayed ops), for summary.jsonl */
type Outcomes = Record<string, number>;

async function timed<T extends { name: string; runs: number; seed: number }>(run: () => Promise<T>, outcomes: Outcomes = {}): Promise<void> {
  const t0 = performance.now();
  const report = await run();
  record({ ...report, ms: Math.round(performance.now() - t0), outcomes });
}

function count(outcomes: Outcomes, key: string): void {
  outcomes[key] = (outcomes[key] ?? 0) + 1;
}

describe('fuzz: mutated real lines of every format, imported and replayed', () => {
  for (const corpus of CORPORA) {
    it(`${corpus.format}`, async () => {
      const arb = fc.record({ input: fuzzInput(), lenient: fc.boolean(), strategies: fc.subarray(STRATEGIES, { minLength: 1, maxLength: 3 }), options: replayOptions });
      const outcomes: Outcomes = {};
      await timed(() => campaign(`import-${corpus.format}`, arb, async ({ input, lenient, strategies, options }) => {
        const bytes = render(corpus, input);
        const path = currentPath(`import-${corpus.format}`, corpus.ext);
        writeFileSync(path, bytes);
        const r = await checkImport(path, bytes, { ...corpus.options, lenient });
        // an import that stops early closes its input (reproducer 23): a descriptor left open fails the property
        if (closeLeakedFds(path) > 0) throw new Error(`the import left ${path} open`);
        count(outcomes, `exit ${r.error?.exitCode ?? 0}${lenient ? ' lenient' : ''}`);
        if (r.trace !== undefined && r.trace.ops.length > 0) {
          // (mutated numbers may make ops a replay refuses: a documented error, counted)
          count(outcomes, checkReplay(r.trace, strategies, options, true) === undefined ? 'replay refused' : 'replayed');
        }
      }, ({ input }) => ({ ext: corpus.ext, bytes: render(corpus, input) }), runsOf(25)), outcomes);
    }, TIMEOUT_MS);
  }
});

describe('fuzz: arbitrary op streams through every built-in strategy', () => {
  it('terminate, complete every op unless deadlocked, no NaN or negative number, the same bytes twice', async () => {
    const arb = fc.record({ specs: opSpecs, options: replayOptions });
    const outcomes: Outcomes = {};
    await timed(() => campaign('engine', arb, async ({ specs, options }) => {
      const ops = buildOps(specs);
      writeFileSync(currentPath('engine', 'json'), JSON.stringify({ ops, options }));
      const result = checkReplay(loadedTrace(ops), STRATEGIES, options);
      for (const r of result.results) if (r.deadlock !== null) count(outcomes, `deadlock ${r.deadlock.reason}`);
      count(outcomes, 'runs');
    }, ({ specs, options }) => ({ ext: 'json', bytes: `${JSON.stringify({ ops: buildOps(specs), options }, null, 1)}\n` }), runsOf(40, 1 / 5)), outcomes);
  }, TIMEOUT_MS);
});

describe('fuzz: the CLI on mutated inputs', () => {
  const commands = (corpus: Corpus, strategy: string): string[][] => [
    ['import', '--json'], ['import', '--lenient', '--json'], ['replay', '--strategy', strategy, '--json'], ['replay', '--strategy', strategy, '--lenient', '--json'],
  ].map((c) => [...c, ...(corpus.options.csvPreset !== undefined ? ['--preset', corpus.options.csvPreset] : [])]);

  it('a documented exit code, no stack trace, --lenient never exits 4, JSON without negative numbers', async () => {
    const arb = fc.record({ corpus: fc.nat(CORPORA.length - 1), input: fuzzInput(60), command: fc.nat(3), strategy: fc.constantFrom(...STRATEGIES) });
    const file = ({ corpus, input }: { corpus: number; input: FuzzInput }): { ext: string; bytes: Buffer } => ({ ext: CORPORA[corpus].ext, bytes: render(CORPORA[corpus], input) });
    const outcomes: Outcomes = {};
    await timed(() => campaign('cli', arb, async ({ corpus, input, command, strategy }) => {
      const c = CORPORA[corpus];
      const path = currentPath('cli', c.ext);
      writeFileSync(path, render(c, input));
      const args = commands(c, strategy)[command];
      const r = cli([args[0], path, ...args.slice(1)]);
      count(outcomes, `${CORPORA[corpus].format} ${args[0]}${args.includes('--lenient') ? ' --lenient' : ''}: exit ${r.code}`);
      expect(DOCUMENTED_EXIT_CODES, `exit ${r.code}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toContain('\n    at ');
      if (args.includes('--lenient')) expect(r.code, r.stderr).not.toBe(4);
      if (r.code === 0) expectSaneNumbers(JSON.parse(r.stdout), 'stdout');
      else expect(r.stderr).toMatch(/^lockreplay: /);
    }, file, runsOf(6, 1 / 50)), outcomes);
  }, TIMEOUT_MS);
});
