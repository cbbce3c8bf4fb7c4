import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { createStrategy, strategyNames } from '../strategies/index.js';
import { table } from '../report/import-summary.js';

export default class Strategies extends BaseCommand {
  static override summary = 'List every strategy with its rules: which op kind takes which lock, in which mode, on which range.';
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Strategies);
    const all = strategyNames().map((n) => createStrategy(n));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(all.map((s) => ({ name: s.name, summary: s.summary, source: s.source, options: s.options, rules: s.rules })), null, 2)}\n`);
      return;
    }
    const out: string[] = [];
    for (const s of all) {
      out.push(`${s.name}: ${s.summary}`, `  source: ${s.source}`);
      const opts = Object.entries(s.options);
      if (opts.length > 0) out.push(`  options: ${opts.map(([k, v]) => `${k}=${v}`).join(', ')}`);
      out.push(table([['  op kinds', 'locks'], ...s.rules.map((r) => [`  ${r.kinds}`, r.locks])]).split('\n').map((l) => l.replace(/\s+$/, '')).join('\n'), '');
    }
    process.stdout.write(`${out.join('\n')}`);
  }
}
