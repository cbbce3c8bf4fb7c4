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

describe('check refuses a result whose summary numbers disagree with their histograms and counters', () => {
  it("a regressed candidate with the baseline's latency, throughput and locks blocks copied in is refused (exit 11), naming the file, the strategy and the field", () => {
    const base = JSON.parse(readFileSync(v1, 'utf8'));
    const forged = JSON.parse(readFileSync(v2, 'utf8'));
    const i = forged.results.findIndex((s: { strategy: string }) => s.strategy === 'mine');
    const from = base.results[i];
    const s = forged.results[i];
    s.throughput = from.throughput;
    s.locks = from.locks;
    s.all.latency = from.all.latency;
    s.all.lockWait = from.all.lockWait;
    for (const k of Object.keys(s.byKind)) if (from.byKind[k] !== undefined) s.byKind[k].latency = from.byKind[k].latency;
    const path = join(tmp, 'forged.json');
    writeFileSync(path, JSON.stringify(forged));
    const r = cli(['check', path, '--baseline', v1]);
    expect(r.code).toBe(11);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^lockreplay: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the summary numbers do not match the histograms and counters they are derived from: results\\[${i}\\] \\(strategy mine\\): all\\.latency\\.p50 is \\d+, but all\\.latencyHistogram gives \\d+`));
    // each block alone is refused too: the rates against the op count and makespan, the lock waits against the ops' waits
    const only = (edit: (s: typeof forged.results[0]) => void, says: RegExp): void => {
      const f = JSON.parse(readFileSync(v2, 'utf8'));
      edit(f.results[i]);
      writeFileSync(path, JSON.stringify(f));
      const c = cli(['check', path, '--baseline', v1]);
      expect([c.code, c.stderr]).toEqual([11, expect.stringMatching(says)]);
    };
    only((x) => { x.throughput.opsPerSec = from.throughput.opsPerSec; }, /\(strategy mine\): throughput\.opsPerSec is [\d.]+, but \d+ ops in \d+ ns give [\d.]+/);
    // the whole throughput block: its makespan against the CPUs' utilisation, then against the timeline
    only((x) => { x.throughput = from.throughput; }, /\(strategy mine\): cpu\.utilisation is [\d.]+, but busy \d+ ns over 2 CPUs × makespan \d+ ns give [\d.]+/);
    only((x) => { x.throughput = from.throughput; x.cpu = from.cpu; }, /\(strategy mine\): throughput\.makespanNs is \d+, but the timeline's \d+ intervals of \d+ ns span more than \d+ ns/);
    only((x) => { x.locks = from.locks; }, /\(strategy mine\): the lock classes' waitTotalNs add up to \d+ ns, but the ops' lock waits/);
    only((x) => { x.all.latency.max = from.all.latency.max * 3 + 1000; }, /\(strategy mine\): all\.latency\.max is \d+, but all\.latencyHistogram's largest value is about \d+/);
    only((x) => { x.all = from.all; }, /\(strategy mine\): (all\.count is|all\.latency\.\w+ is \d+, but the op kinds' (histograms added give|maximum is))/);
  });

  it('every result the tool wrote here loads: the summary numbers of real results agree with their histograms', async () => {
    const { loadResult } = await import('../src/report/load.js');
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(tmp).filter((f) => f.endsWith('.json') && f !== 'forged.json');
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(() => loadResult(join(tmp, f)), f).not.toThrow();
  });
});
