import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { SCENARIOS, scenarioNames, synthesize } from '../synth/scenarios.js';
import { writeOutput } from '../util/output.js';

export default class Synth extends BaseCommand {
  static override summary = 'Write a synthetic ftrace-format trace of a locking scenario.';
  static override description = `Scenarios:\n${Object.entries(SCENARIOS).map(([n, s]) => `  ${n}: ${s.summary}`).join('\n')}

The output goes through the normal importer: replay or compare it like a real trace.`;
  static override examples = [
    '<%= config.bin %> synth seed-deadlock --out deadlock.trace && <%= config.bin %> compare deadlock.trace --strategy range-lock,range-lock:prefault=true,i-mutex',
    '<%= config.bin %> synth seed-race --seed 7 --tasks 6 --ops 500 --out race.trace',
  ];
  static override args = { scenario: Args.string({ description: 'scenario name', required: true, options: scenarioNames() }) };
  static override flags = {
    seed: Flags.integer({ description: 'random seed: the same seed gives the same bytes', default: 1 }),
    tasks: Flags.integer({ description: 'number of tasks (scenario default if omitted)', min: 1 }),
    ops: Flags.integer({ description: 'ops per task, or repetitions of the pattern (scenario default if omitted)', min: 1 }),
    out: Flags.string({ char: 'o', description: 'write here (atomically) instead of stdout' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Synth);
    const text = synthesize(args.scenario, { seed: flags.seed, tasks: flags.tasks, ops: flags.ops });
    await writeOutput(flags.out ?? '-', text);
  }
}
