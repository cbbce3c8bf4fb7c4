import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, trace } from './helpers.js';

type Ev = { ph: string; name: string; cat?: string; pid: number; tid?: number; ts?: number; dur?: number; id?: number; bp?: string; args?: Record<string, unknown> };

describe('--perfetto: the simulated schedule as Chrome trace-event JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockreplay-perfetto-'));
  const out = join(dir, 'schedule.json');
  const resultPath = join(dir, 'result.json');
  const strategies = ['none', 'i-mutex', 'range-lock', 'bueso-rw'];
  const r = cli(['compare', trace('xfs-mix.trace.gz'), '-s', strategies.join(','), '--mode', 'open', '--time-scale', '0.05', '--out', resultPath, '--perfetto', out]);

  it('is valid trace-event JSON: X slices with ts/dur/pid/tid/name, metadata naming every process and thread', () => {
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Ev[]; displayTimeUnit: string };
    expect(j.displayTimeUnit).toBe('ns');
    const ev = j.traceEvents;
    for (const e of ev.filter((x) => x.ph === 'X')) {
      expect(typeof e.name).toBe('string');
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      expect(Number.isFinite(e.ts) && (e.ts as number) >= 0).toBe(true);
      expect(Number.isFinite(e.dur) && (e.dur as number) >= -1e-9).toBe(true);
    }
    const processes = new Map(ev.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, (e.args as { name: string }).name]));
    expect([...processes.values()]).toEqual(strategies);
    const threads = new Set(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.tid}`));
    for (const e of ev.filter((x) => x.ph !== 'M')) expect(threads.has(`${e.pid}/${e.tid}`)).toBe(true);
  });

  it('slices nest per track: an op contains its child ops, its lock waits and its CPU queueing', () => {
    const ev = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Ev[] }).traceEvents.filter((e) => e.ph === 'X');
    const tracks = new Map<string, Ev[]>();
    for (const e of ev) {
      const k = `${e.pid}/${e.tid}`;
      tracks.set(k, [...(tracks.get(k) ?? []), e]);
    }
    const eps = 1e-6;
    for (const list of tracks.values()) {
      list.sort((a, b) => (a.ts as number) - (b.ts as number) || (b.dur as number) - (a.dur as number) || (a.cat === 'op' ? -1 : 1));
      const stack: Ev[] = [];
      for (const e of list) {
        const start = e.ts as number;
        const end = start + (e.dur as number);
        while (stack.length > 0 && (stack[stack.length - 1].ts as number) + (stack[stack.length - 1].dur as number) <= start + eps) stack.pop();
        const top = stack[stack.length - 1];
        if (top !== undefined) expect(end).toBeLessThanOrEqual((top.ts as number) + (top.dur as number) + eps);
        if (e.cat !== 'op') expect(top?.cat).toBe('op');
        stack.push(e);
      }
    }
  });

  it('flows pair up (one s and one f per id) and lock holds open and close', () => {
    const ev = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Ev[] }).traceEvents;
    const flows = new Map<number, string[]>();
    for (const e of ev.filter((x) => x.ph === 's' || x.ph === 'f')) flows.set(e.id as number, [...(flows.get(e.id as number) ?? []), e.ph]);
    expect(flows.size).toBeGreaterThan(0);
    for (const phs of flows.values()) expect(phs.sort()).toEqual(['f', 's']);
    const holds = new Map<number, string[]>();
    for (const e of ev.filter((x) => x.ph === 'b' || x.ph === 'e')) holds.set(e.id as number, [...(holds.get(e.id as number) ?? []), e.ph]);
    for (const phs of holds.values()) expect(phs).toEqual(['b', 'e']);
  });

  it('adds up to the result: ops completed, lock wait and CPU wait per strategy', () => {
    const ev = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Ev[] }).traceEvents;
    const result = JSON.parse(readFileSync(resultPath, 'utf8')) as { results: { strategy: string; completedOps: number; cpuWaitTotalNs: number; locks: Record<string, { waitTotalNs: number; contentions: number }> }[] };
    result.results.forEach((s, k) => {
      const mine = ev.filter((e) => e.pid === k + 1 && e.ph === 'X');
      expect(mine.filter((e) => e.cat === 'op')).toHaveLength(s.completedOps);
      const waits = mine.filter((e) => e.cat === 'lock-wait');
      expect(waits).toHaveLength(Object.values(s.locks).reduce((a, l) => a + l.contentions, 0));
      const waitUs = waits.reduce((a, e) => a + (e.dur as number), 0);
      expect(Math.abs(waitUs * 1000 - Object.values(s.locks).reduce((a, l) => a + l.waitTotalNs, 0))).toBeLessThan(1 + waits.length);
      const cpuUs = mine.filter((e) => e.cat === 'cpu-wait').reduce((a, e) => a + (e.dur as number), 0);
      expect(Math.abs(cpuUs * 1000 - s.cpuWaitTotalNs)).toBeLessThan(1 + mine.length);
    });
  });
});

describe('--perfetto on a long schedule', () => {
  it('writes a schedule of 300,000 events (a spread of them overflowed the stack: exit 1, and --out lost with it)', async () => {
    const { PerfettoJsonWriter } = await import('../src/replay/perfetto.js');
    const pieces: string[] = [];
    const out = new PerfettoJsonWriter((piece) => pieces.push(piece));
    out.open('t');
    for (let i = 0; i < 300_000; i++) out.event({ ph: 'X', name: 'op', pid: 1, tid: 1, ts: i, dur: 1 });
    out.close();
    const json = JSON.parse(pieces.join('')) as { otherData: unknown; traceEvents: unknown[] };
    expect(json.traceEvents).toHaveLength(300_000);
    expect(json.otherData).toEqual({ generator: 'lockreplay', trace: 't' });
  });
});
