/**
 * Which strategy of a run compare's --baseline names: its name ("linux:xfs", the first strategy of
 * that name), its label ("range-lock:fairness=reader-pref"), or a spec with options that makes the
 * same strategy ("linux:xfs:hz=250", whose label drops the default hz: "linux:xfs").
 */
import { ExitCode, LockreplayError } from '../errors.js';
import { strategyLabel } from '../model/labels.js';
import { createStrategy, withKernelHz } from '../strategies/index.js';

type Options = Readonly<Record<string, string | number | boolean>>;

/** the strategy a built-in spec makes, as name and options; undefined when it makes none */
function specStrategy(spec: string): { name: string; options: Options } | undefined {
  try {
    const s = createStrategy(spec);
    return { name: s.name, options: s.options };
  } catch (err) {
    if (err instanceof LockreplayError) return undefined;
    throw err;
  }
}

/** Whether `baseline` names the strategy `name` with `options` (a result's, after the replay). */
export function baselineNames(baseline: string, name: string, options: Options): boolean {
  if (baseline === name) return true;
  const label = strategyLabel(name, options);
  if (baseline === label) return true;
  const b = specStrategy(baseline);
  return b !== undefined && strategyLabel(b.name, b.options) === label;
}

/**
 * Whether `baseline` can name the strategy `spec` loads (its `name` and `options`), before the trace
 * is read: as baselineNames, but a spec that takes the trace's CONFIG_HZ (a Linux rwsem strategy
 * given without hz) may yet get any hz, so a baseline that differs from it in hz only may name it.
 */
export function baselineMayName(baseline: string, spec: string, name: string, options: Options): boolean {
  if (baselineNames(baseline, name, options)) return true;
  if (withKernelHz(spec, 1) === spec) return false;
  const b = specStrategy(baseline);
  if (b === undefined || b.name !== name) return false;
  const withoutHz = (o: Options): Options => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'hz'));
  return strategyLabel(b.name, withoutHz(b.options)) === strategyLabel(name, withoutHz(options));
}

/** the usage error of a --baseline that names none of the strategies run (`labels`, as the table shows them) */
export function notABaseline(baseline: string, labels: readonly string[]): LockreplayError {
  return new LockreplayError(`--baseline ${baseline === '' ? '""' : baseline} is not one of the strategies run (${labels.join(', ')})`, ExitCode.usage);
}
