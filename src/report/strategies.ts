/** `lockreplay strategies` as text and JSON: each strategy's summary, source, options and rules table. */
import { table } from './import-summary.js';
import { jsonText } from './json.js';

/** what the listing shows of a strategy (plain data) */
export interface StrategyListing {
  name: string;
  summary: string;
  source: string;
  options: Readonly<Record<string, string | number | boolean>>;
  rules: readonly { kinds: string; locks: string }[];
}

export function strategiesJson(all: readonly StrategyListing[]): string {
  return jsonText(all.map((s) => ({ name: s.name, summary: s.summary, source: s.source, options: s.options, rules: s.rules })));
}

export function formatStrategies(all: readonly StrategyListing[]): string {
  const out: string[] = [];
  for (const s of all) {
    out.push(`${s.name}: ${s.summary}`, `  source: ${s.source}`);
    const opts = Object.entries(s.options);
    if (opts.length > 0) out.push(`  options: ${opts.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    out.push(table([['  op kinds', 'locks'], ...s.rules.map((r) => [`  ${r.kinds}`, r.locks])]).split('\n').map((l) => l.replace(/\s+$/, '')).join('\n'), '');
  }
  return out.join('\n');
}
