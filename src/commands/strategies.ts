import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { createStrategy, strategyNames } from '../strategies/index.js';
import { formatStrategies, strategiesJson } from '../report/strategies.js';

export default class Strategies extends BaseCommand {
  static override summary = 'List every strategy with its rules: which op kind takes which lock, in which mode, on which range.';
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Strategies);
    const all = strategyNames().map((n) => createStrategy(n));
    process.stdout.write(flags.json ? strategiesJson(all) : formatStrategies(all));
  }
}
