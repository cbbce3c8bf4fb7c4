/**
 * The rules of lock operation costs (--cost, ReplayOptions.costs; docs/costs.md): each a finite
 * number of ns, 0 or more and at most MAX_COST_NS. The defaults are 20 ns to 2 µs; a cost of
 * 10^20 ns took the replay's latencies past what its histograms hold (an internal error), and one of
 * 2^53 ns its virtual time past 2^53 ns, where it is no longer exact.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import { expectString } from '../util/arguments.js';
import { DEFAULT_COSTS, type LockCosts } from '../strategies/types.js';

/** the largest cost of one lock operation: 1 s (the defaults are 20 ns to 2 µs) */
export const MAX_COST_NS = 1e9;

/** Why `costs` are not lock operation costs, or undefined. */
export function costsProblem(costs: unknown): string | undefined {
  if (costs === null || typeof costs !== 'object' || Array.isArray(costs)) return 'costs: expected an object of KEY: ns';
  const missing = Object.keys(DEFAULT_COSTS).find((key) => !Object.hasOwn(costs, key));
  if (missing !== undefined) return `costs: ${missing} is missing (give every one of ${Object.keys(DEFAULT_COSTS).join(', ')}: DEFAULT_COSTS with yours over them)`;
  for (const [key, ns] of Object.entries(costs as Record<string, unknown>)) {
    if (!Object.hasOwn(DEFAULT_COSTS, key)) return `cost ${key}: not a lock cost (expected ${Object.keys(DEFAULT_COSTS).join(', ')})`;
    if (typeof ns !== 'number' || !Number.isFinite(ns) || ns < 0 || ns > MAX_COST_NS) return `cost ${key}=${String(ns)}: expected ns from 0 to ${MAX_COST_NS.toLocaleString('en-US')} (1 s)`;
  }
  return undefined;
}

/** "atomicNs=20,wakeupNs=2000" → costs over the defaults (exit 2 for a key that is none, given twice, or a value out of bounds) */
export function parseCosts(spec: string | undefined): LockCosts {
  const costs: LockCosts = { ...DEFAULT_COSTS };
  if (spec !== undefined) expectString(spec, 'costs spec');
  if (spec === undefined || spec.trim() === '') return costs;
  const given = new Set<string>();
  for (const part of spec.split(',')) {
    const m = /^\s*(\w+)\s*=\s*([0-9.]+)\s*$/.exec(part);
    if (!m || !Object.hasOwn(costs, m[1]) || !Number.isFinite(Number(m[2]))) {
      throw new LockreplayError(`--cost ${part.trim()}: expected KEY=NS with KEY one of ${Object.keys(DEFAULT_COSTS).join(', ')}`, ExitCode.usage);
    }
    if (given.has(m[1])) throw new LockreplayError(`--cost ${part.trim()}: ${m[1]} is given twice (which one counts?): give each cost once`, ExitCode.usage);
    given.add(m[1]);
    const ns = Number(m[2]);
    if (ns > MAX_COST_NS) throw new LockreplayError(`--cost ${part.trim()}: more than ${MAX_COST_NS.toLocaleString('en-US')} ns (1 s) for one lock operation`, ExitCode.usage);
    (costs as unknown as Record<string, number>)[m[1]] = ns;
  }
  return costs;
}
