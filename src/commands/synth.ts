import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { MAX_OPS, MAX_SEED, MAX_TASKS, SCENARIOS, scenarioLines, scenarioNames } from '../synth/scenarios.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { OutputTarget } from '../util/output.js';

/** lines written between two returns to the event loop, so Ctrl-C can remove the partial output */
const LINES_PER_TURN = 65_536;

export default class Synth extends BaseCommand {
  static override summary = 'Write a synthetic ftrace-format trace of a locking scenario.';
  static override description = `Scenarios:\n${Object.entries(SCENARIOS).map(([n, s]) => `  ${n}: ${s.summary}`).join('\n')}

The output goes through the normal importer: replay or compare it like a real trace. It is written as it is
made: memory stays small whatever --ops.`;
  static override examples = [
    '<%= config.bin %> synth seed-deadlock --out deadlock.trace && <%= config.bin %> compare deadlock.trace --strategy range-lock,range-lock:prefault=true,i-mutex',
    '<%= config.bin %> synth seed-race --seed 7 --tasks 6 --ops 500 --out race.trace',
  ];
  static override args = { scenario: Args.string({ description: 'scenario name', required: true, options: scenarioNames() }) };
  static override flags = {
    seed: Flags.integer({ description: `random seed, 0 to ${MAX_SEED}: the same seed gives the same bytes`, default: 1 }),
    tasks: Flags.integer({ description: `number of tasks (scenario default if omitted), at most ${MAX_TASKS.toLocaleString('en-US')}`, min: 1 }),
    ops: Flags.integer({ description: `ops per task, or repetitions of the pattern (scenario default if omitted), at most ${MAX_OPS.toLocaleString('en-US')}`, min: 1 }),
    out: Flags.string({ char: 'o', description: 'write here (atomically) instead of stdout' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Synth);
    if (flags.out === '') throw new LockreplayError('--out needs a file name (or - for standard output), not ""', ExitCode.usage);
    const lines = scenarioLines(args.scenario, { seed: flags.seed, tasks: flags.tasks, ops: flags.ops });
    // the options are checked before the output is opened: a refused run leaves no file
    const first = lines.next();
    const out = new OutputTarget(flags.out ?? '-');
    try {
      if (first.done !== true) out.write(`${first.value}\n`);
      let sinceTurn = 0;
      for (const line of lines) {
        out.write(`${line}\n`);
        if (++sinceTurn === LINES_PER_TURN) {
          sinceTurn = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await out.commit();
    } catch (err) {
      out.abort();
      throw err;
    }
  }
}
