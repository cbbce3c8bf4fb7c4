import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, trace } from './helpers.js';

// --cpu-model (docs/costs.md, "When a task holds a CPU"): the timelines are in engine-timeline.test.ts
describe('--cpu-model', () => {
  it('replay records preempt-none in its options, and the default not at all', () => {
    const pn = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'linux:xfs', '--cpu-model', 'preempt-none', '--json']);
    expect(pn.code).toBe(0);
    expect(JSON.parse(pn.stdout).options.cpuModel).toBe('preempt-none');
    for (const args of [[], ['--cpu-model', 'per-segment']]) {
      const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'linux:xfs', ...args, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).options).not.toHaveProperty('cpuModel');
    }
  });

  it('refuses another model (exit 2)', () => {
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'linux:xfs', '--cpu-model', 'preempt-full']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/preempt-full/);
  });

  it('fidelity replays with it and says so', () => {
    const r = cli(['fidelity', trace('xfs-contended-writers.trace.gz'), '--cpu-model', 'preempt-none', '--json']);
    expect(r.code).toBe(0);
    type Rows = { cpuModel?: string; contention: { rows: { lockClass: string; kind: string; predicted: { count: number } }[] } };
    const report = JSON.parse(r.stdout) as Rows;
    expect(report.cpuModel).toBe('preempt-none');
    expect(report.contention.rows.length).toBeGreaterThan(0);
    // the replay itself ran under the model: its predictions differ from the default's
    const predicted = (x: Rows): string => x.contention.rows.map((row) => `${row.lockClass} ${row.kind} ${row.predicted.count}`).join('; ');
    const byDefault = JSON.parse(cli(['fidelity', trace('xfs-contended-writers.trace.gz'), '--json']).stdout) as Rows;
    expect(byDefault.cpuModel).toBeUndefined();
    expect(predicted(report)).not.toBe(predicted(byDefault));
    const text = cli(['fidelity', trace('xfs-contended-writers.trace.gz'), '--cpu-model', 'preempt-none']);
    expect(text.stdout).toMatch(/; CPU model preempt-none\)/);
    expect(text.stdout.split('\n')[0]).toMatch(/: linux:xfs \(CPU model preempt-none\) against the kernel's xfs_ilock events/);
    expect(cli(['fidelity', trace('xfs-contended-writers.trace.gz')]).stdout).not.toMatch(/CPU model/);
    // (four fidelity runs: 27 s alone on a busy 2-core machine, past a third of the default 60 s)
  }, 90_000);

  it('the text, Markdown and HTML reports name a model other than the default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-cpu-model-'));
    const out = (m: string): { text: string; md: string; html: string } => {
      const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'page-lock', '--cpu-model', m, '--md', join(dir, `${m}.md`), '--html', join(dir, `${m}.html`)]);
      expect(r.code).toBe(0);
      return { text: r.stdout, md: readFileSync(join(dir, `${m}.md`), 'utf8'), html: readFileSync(join(dir, `${m}.html`), 'utf8') };
    };
    const pn = out('preempt-none');
    expect(pn.text).toMatch(/CPUs? \([^)]*\), CPU model preempt-none\n/);
    expect(pn.md).toMatch(/ CPUs · CPU model preempt-none · baseline/);
    expect(pn.html).toMatch(/optimistic spinning on · CPU model preempt-none · baseline/);
    expect(pn.html).toMatch(/CPU model<\/t[dh]><t[dh][^>]*>preempt-none</);
    const d = out('per-segment');
    expect(d.text + d.md).not.toMatch(/CPU model/);
    expect(d.html).not.toMatch(/· CPU model/);
    expect(d.html).toMatch(/CPU model<\/t[dh]><t[dh][^>]*>per-segment</);
  });
});
