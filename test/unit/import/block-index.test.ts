/**
 * The block op builder finds the bio an action goes to through an index by start sector; the
 * builder it replaced scanned each device's pending bios in arrival order (block-reference.ts).
 * Both must give the same ops, line counts and statistics for any sequence of actions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { type BlockAction, BlockOpBuilder } from '../../../src/import/block.js';
import { SelectingSink } from '../../../src/import/selection.js';
import type { Op } from '../../../src/model/op.js';
import { BioIndex, type BioNode } from '../../../src/import/bio-index.js';
import { ScanBlockOpBuilder } from './block-reference.js';
import { chainOrder } from '../chain-order.js';

type Step = Pick<BlockAction, 'action' | 'rwbs' | 'sector' | 'sectors' | 'minor'> & { dtNs: number };

function run(make: (sink: SelectingSink, counter: LineCounter, bad: BadLines) => { handle(a: BlockAction): void; finish(): void; stats: object }, steps: readonly Step[]) {
  const counter = new LineCounter();
  const ops: string[] = [];
  const sink = new SelectingSink({ op: (o: Op) => ops.push(JSON.stringify(o)), lock: () => {} }, counter);
  const b = make(sink, counter, new BadLines('blk', true, counter));
  let tsNs = 0;
  let line = 0;
  for (const s of steps) {
    tsNs += s.dtNs;
    b.handle({ tsNs, pid: 7, comm: 'fio', major: 8, minor: s.minor, action: s.action, rwbs: s.rwbs, sector: s.sector, sectors: s.sectors, line: ++line });
  }
  b.finish();
  return { ops, accounting: counter.result(), stats: b.stats };
}

const step: fc.Arbitrary<Step> = fc.record({
  action: fc.constantFrom('Q', 'Q', 'Q', 'D', 'D', 'C', 'C', 'R', 'X', 'M', 'P'),
  rwbs: fc.constantFrom('R', 'W', 'WS', 'D', 'FWS', 'FN', 'N', 'RA'),
  sector: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 12 }).map((k) => k * 8), fc.integer({ min: 0, max: 100 })),
  sectors: fc.constantFrom(0, 1, 8, 16, 24, 40),
  minor: fc.constantFrom(0, 16),
  dtNs: fc.integer({ min: 0, max: 1000 }),
});

describe('block op builder: the sector index against the scan it replaced', () => {
  it('the same ops, line accounting and statistics for random actions on two devices', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const indexed = run((sink, counter, bad) => new BlockOpBuilder(sink, counter, bad), steps);
        const scanned = run((sink, counter, bad) => new ScanBlockOpBuilder(sink, counter, bad), steps);
        expect(indexed).toEqual(scanned);
      }),
      { numRuns: 3000, seed: 24 },
    );
  });

  it('a long queue of requests released in issue order keeps its order (the compaction of released ops)', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 5000; i++) steps.push({ action: 'Q', rwbs: 'W', sector: i * 8, sectors: 8, minor: 0, dtNs: 1 });
    for (let i = 0; i < 5000; i++) steps.push({ action: 'C', rwbs: 'W', sector: i * 8, sectors: 8, minor: 0, dtNs: 1 });
    const indexed = run((sink, counter, bad) => new BlockOpBuilder(sink, counter, bad), steps);
    expect(indexed.ops).toHaveLength(5000);
    expect(indexed).toEqual(run((sink, counter, bad) => new ScanBlockOpBuilder(sink, counter, bad), steps));
  });
});

describe('BioIndex: no trace can give it a bad shape', () => {
  it('bios queued in the order of the old fixed seed\'s priorities (a chain 20,000 deep then) are indexed and found (was: stack overflow)', () => {
    // the priorities the index drew from its fixed seed (0x2545f491), in order: the k-th bio queued got the k-th
    const { starts, byRank } = chainOrder(0x2545f491, 20_000, 8);
    const index = new BioIndex<number>();
    const nodes = starts.map((s, k) => index.node(k, s, s + 8, k));
    for (const n of nodes) index.insert(n);
    expect(index.first(8 * 19_999, 8 * 20_000)?.item).toBe(byRank[19_999]);
    const all: BioNode<number>[] = [];
    index.startingIn(0, Infinity, all);
    expect(all.map((n) => n.start)).toEqual(starts.slice().sort((a, b) => a - b));
    for (const n of nodes) index.remove(n);
    expect(index.first(0, Infinity)).toBeUndefined();
  });
});
