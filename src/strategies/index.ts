import { ExitCode, LockreplayError } from '../errors.js';
import { iMutexStrategy } from './i-mutex.js';
import { noneStrategy } from './none.js';
import { pageLockStrategy } from './page-lock.js';
import { rangeLockStrategy } from './range-lock.js';
import type { Strategy } from './types.js';

export type { Strategy } from './types.js';

/** The built-in strategies, in the order `compare --all` runs and prints them. */
const FACTORIES: Record<string, (options: Record<string, string>) => Strategy> = {
  none: () => noneStrategy(),
  'page-lock': () => pageLockStrategy(),
  'i-mutex': () => iMutexStrategy(),
  'range-lock': (o) => {
    const fairness = o.fairness ?? 'fifo';
    if (fairness !== 'fifo' && fairness !== 'reader-pref') throw new LockreplayError(`range-lock: fairness must be fifo or reader-pref, not "${fairness}"`, ExitCode.usage);
    return rangeLockStrategy({ fairness });
  },
};

export function strategyNames(): string[] {
  return Object.keys(FACTORIES);
}

/**
 * Makes a strategy from "NAME" or "NAME:key=value,key=value" (e.g. "range-lock:fairness=reader-pref").
 */
export function createStrategy(spec: string): Strategy {
  const [name, rest] = splitOnce(spec.trim(), ':');
  const factory = FACTORIES[name];
  if (factory === undefined) {
    throw new LockreplayError(`unknown strategy "${name}"; known: ${strategyNames().join(', ')} (see: lockreplay strategies)`, ExitCode.usage);
  }
  const options: Record<string, string> = {};
  if (rest !== undefined && rest !== '') {
    for (const kv of rest.split(',')) {
      const [k, v] = splitOnce(kv, '=');
      if (v === undefined || k === '') throw new LockreplayError(`strategy option "${kv}" in "${spec}": expected key=value`, ExitCode.usage);
      options[k.trim()] = v.trim();
    }
  }
  return factory(options);
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
