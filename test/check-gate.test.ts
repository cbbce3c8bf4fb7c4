/**
 * `lockreplay check` as a CI gate (the CLI): what it refuses, what it writes and in which order, on
 * results of a user strategy and of a regressed copy of it (every shared lock taken exclusive).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-check-gate-'));
const strategy = readFileSync(join(ROOT, 'examples', 'strategies', 'whole-file-rwsem.js'), 'utf8').replace("name: 'whole-file-rwsem'", "name: 'mine'");
const mine = join(tmp, 'mine.js');
writeFileSync(mine, strategy);
const regressed = join(tmp, 'regressed', 'mine.js');
mkdirSync(join(tmp, 'regressed'));
writeFileSync(regressed, strategy.replace("const mode = SHARED.has(op.kind) ? 'S' : 'X';", "const mode = 'X';"));

/** `compare` of a trace with `none`, the strategy module and range-lock, open mode */
function compareTo(input: string, module: string, out: string): string {
  const r = cli(['compare', input, '-s', `none,${module},range-lock`, '--mode', 'open', '--time-scale', '0.05', '--out', out]);
  if (r.code !== 0) throw new Error(`compare ${input}: ${r.stderr}`);
  return out;
}

const v1 = compareTo(trace('xfs-mix.trace.gz'), mine, join(tmp, 'v1.json'));
const v2 = compareTo(trace('xfs-mix.trace.gz'), regressed, join(tmp, 'v2.json'));

describe('check refuses results that cannot be compared', () => {
  it('the same ops with other kernel lock waits and task sleeps (a trace imported with --no-locks) are not comparable: exit 11, saying what differs', () => {
    const ops = join(tmp, 'ops.csv');
    expect(cli(['import', trace('xfs-contended-mixed-sched.trace.gz'), '--no-locks', '--out', ops]).code).toBe(0);
    const base = compareTo(ops, mine, join(tmp, 'nolocks-base.json'));
    const cand = compareTo(trace('xfs-contended-mixed-sched.trace.gz'), regressed, join(tmp, 'locks-cand.json'));
    const r = cli(['check', cand, '--baseline', base]);
    expect(r.code).toBe(11);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot be compared: they replay other service times: serviceTime\.observedWaits differs \(the kernel's lock waits removed from service times: \d+ waits, \d+ ns removed vs 0 waits, 0 ns removed\)/);
  }, 120_000);

  it('the regressed strategy against v1 is a regression (exit 10)', () => {
    const r = cli(['check', v2, '--baseline', v1]);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/mine\s+p99/);
  });
});
