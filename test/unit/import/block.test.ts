import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { type BlockAction, BlockOpBuilder, blockFileKey, kindOfRwbs, parseBlockTail } from '../../../src/import/block.js';
import { SelectingSink } from '../../../src/import/selection.js';
import type { Op } from '../../../src/model/op.js';

function builder(lenient = true) {
  const counter = new LineCounter();
  const ops: Op[] = [];
  const out = new SelectingSink({ op: (o) => ops.push(o), lock: () => {} }, counter);
  const b = new BlockOpBuilder(out, counter, new BadLines('blk', lenient, counter));
  let line = 0;
  const act = (action: string, rwbs: string, sector: number, sectors: number, tsNs: number, extra: Partial<BlockAction> = {}): void =>
    b.handle({ tsNs, pid: 5, comm: 'fio', major: 8, minor: 16, action, rwbs, sector, sectors, line: ++line, ...extra });
  const brief = (): string[] => ops.map((o) => `${o.id} ${o.kind} ${o.file} ${o.offset}+${o.lengthBytes} ts ${o.tsNs}${o.durNs !== undefined ? ` dur ${o.durNs}` : ''} line ${o.line}`);
  return { b, act, brief, counter, ops };
}

describe('kindOfRwbs and parseBlockTail', () => {
  it('maps RWBS to kinds', () => {
    expect(kindOfRwbs('RS', 8)).toBe('read');
    expect(kindOfRwbs('WS', 8)).toBe('write');
    expect(kindOfRwbs('WFS', 8)).toBe('write');
    expect(kindOfRwbs('DS', 8)).toBe('punch');
    expect(kindOfRwbs('RD', 8)).toBe('punch');
    expect(kindOfRwbs('FN', 0)).toBe('fsync');
    expect(kindOfRwbs('F', 0)).toBe('fsync');
    expect(kindOfRwbs('F', 8)).toBeUndefined();
    expect(kindOfRwbs('N', 0)).toBeUndefined();
    expect(kindOfRwbs('SF', 0)).toBeUndefined();
    expect(blockFileKey(8, 16)).toBe('blk:8:16');
  });
  it('reads "ACTION RWBS SECTOR + N [comm]" and its shorter forms', () => {
    const o = { action: '', rwbs: '', sector: 0, sectors: 0, comm: '' };
    expect(parseBlockTail('  Q  RS 133248 + 8 [fio]', o)).toBe(true);
    expect(o).toEqual({ action: 'Q', rwbs: 'RS', sector: 133248, sectors: 8, comm: 'fio' });
    expect(parseBlockTail('C WS 10 [0]', o)).toBe(true);
    expect(o).toEqual({ action: 'C', rwbs: 'WS', sector: 10, sectors: 0, comm: '0' });
    expect(parseBlockTail('UT N [kworker] 1', o)).toBe(true);
    expect(o).toEqual({ action: 'UT', rwbs: 'N', sector: -1, sectors: 0, comm: 'kworker' });
    expect(parseBlockTail('P N', o)).toBe(true);
    expect(o).toEqual({ action: 'P', rwbs: 'N', sector: -1, sectors: 0, comm: '' });
    expect(parseBlockTail('D FN 12', o)).toBe(true);
    expect([o.sector, o.sectors]).toEqual([12, 0]);
    expect(parseBlockTail('1 RS 5', o)).toBe(false);
    expect(parseBlockTail('Q rs 5', o)).toBe(false);
    expect(parseBlockTail('QQQ RS 5', o)).toBe(false);
  });
});

describe('BlockOpBuilder', () => {
  it('Q, D, C: an op issued at Q with the device time D → C, released in issue order', () => {
    const t = builder();
    t.act('Q', 'WS', 100, 8, 1000);
    t.act('Q', 'RS', 200, 16, 1100);
    t.act('D', 'WS', 100, 8, 1500);
    t.act('D', 'RS', 200, 16, 1600);
    // the second completes first: held until the first completes
    t.act('C', 'RS', 200, 16, 2600);
    expect(t.ops).toEqual([]);
    t.act('C', 'WS', 100, 8, 3500);
    expect(t.brief()).toEqual(['0 write blk:8:16 51200+4096 ts 1000 dur 2000 line 1', '1 read blk:8:16 102400+8192 ts 1100 dur 1000 line 2']);
    expect(t.ops[0]).toMatchObject({ pid: 5, proc: 'pid:5', comm: 'fio' });
    expect(t.counter.result()).toMatchObject({ used: 6, total: 6 });
  });

  it('a completion covers every bio queued in its range; without a dispatch the time runs from Q', () => {
    const t = builder();
    t.act('Q', 'WS', 100, 8, 1000);
    t.act('Q', 'WS', 108, 8, 1010);
    t.act('M', 'WS', 108, 8, 1011);
    t.act('Q', 'WS', 116, 8, 1020);
    t.act('C', 'WS', 100, 16, 2000);
    expect(t.brief()).toEqual(['0 write blk:8:16 51200+4096 ts 1000 dur 1000 line 1', '1 write blk:8:16 55296+4096 ts 1010 dur 990 line 2']);
    // the completion line counts once
    expect(t.counter.result()).toMatchObject({ used: 3, skipped: { 'block-action-back-merge': 1 } });
    t.act('C', 'WS', 116, 0, 2100);
    expect(t.brief()[2]).toBe('2 write blk:8:16 59392+4096 ts 1020 dur 1080 line 4');
  });

  it('a D without its Q starts the op; unmatched completions and actions without data are skipped', () => {
    const t = builder();
    t.act('D', 'RS', 300, 8, 1000);
    t.act('D', 'N', -1, 0, 1001);
    t.act('C', 'RS', 999, 8, 1500);
    t.act('C', 'RS', -1, 0, 1501);
    t.act('C', 'RS', 300, 8, 2000, { major: 9 });
    t.act('Q', 'N', 0, 0, 2001);
    t.act('C', 'RS', 300, 8, 2500);
    expect(t.brief()).toEqual(['0 read blk:8:16 153600+4096 ts 1000 dur 1500 line 1']);
    expect(t.b.stats.unpairedCompletions).toBe(3);
    expect(t.counter.result().skipped).toEqual({ 'block-complete-without-queue': 3, 'block-dispatch-without-sector': 1, 'block-no-data': 1 });
    for (const [a, name] of [['A', 'remap'], ['B', 'bounce'], ['F', 'front-merge'], ['G', 'get-request'], ['I', 'insert'], ['P', 'plug'], ['R', 'requeue'], ['S', 'sleep'], ['T', 'unplug-timer'], ['U', 'unplug'], ['UT', 'unplug-timer'], ['X', 'split'], ['m', 'message'], ['Z', 'zone'], ['Y', 'Y']]) {
      t.act(a, 'RS', 1, 1, 3000);
      expect(t.counter.result().skipped[`block-action-${name}`], a).toBeGreaterThan(0);
    }
  });

  it('a flush is an fsync; requests never completed are replayed without a duration at the end', () => {
    const t = builder();
    t.act('Q', 'FN', -1, 0, 1000);
    t.act('Q', 'WS', 8, 8, 1100);
    t.b.finish();
    expect(t.brief()).toEqual(['0 fsync blk:8:16 0+0 ts 1000 line 1', '1 write blk:8:16 4096+4096 ts 1100 line 2']);
    expect(t.b.stats.incomplete).toBe(2);
  });

  it('a range past 2^53 bytes is a bad line (strict: stops)', () => {
    const t = builder();
    t.act('Q', 'WS', 2 ** 44, 8, 1000);
    expect(t.counter.result()).toMatchObject({ bad: 1, badSamples: ['blk:1: sector 17592186044416 + 8: offset beyond 2^53 bytes is not supported (offset 9007199254740992, length 4096)'] });
    const s = builder(false);
    expect(() => s.act('Q', 'WS', 2 ** 44, 8, 1000)).toThrow('blk:1: sector 17592186044416 + 8: offset beyond 2^53 bytes is not supported');
  });
});

describe('blkparse text: summaries and times', () => {
  it('the Total block wins over per-CPU blocks; counts have thousands separators; blank and throughput lines are skipped', async () => {
    const { load } = await import('./helpers.js');
    const r = await load([
      '  8,0    1        1     0.000000001 14364  Q  RS 8 + 8 [fio]',
      '  8,0    1        2     1.5 14364  C  RS 8 + 8 [0]',
      '  8,0    1        3    12.000123456789 14364  Q  WS 16 + 8 [fio]',
      '',
      'CPU0 (8,0):',
      ' Reads Queued:       2,411,   38,576KiB\t Writes Queued:          10,       40KiB',
      'CPU1 (8,0):',
      ' Reads Queued:           1,        4KiB\t Writes Queued:           2,        8KiB',
      'Total (8,0):',
      ' Reads Queued:       2,412,   38,580KiB\t Writes Queued:          12,       48KiB',
      '   ',
      'Throughput (R/W): 1604KiB/s / 1604KiB/s',
      'Events (8,0): 3200 entries',
      'Skips: 0 forward (0 -   0.0%)',
      '',
    ].join('\n'), { format: 'blkparse' });
    expect(r.ops.map((o) => `${o.kind} ${o.offset} ts ${o.tsNs} dur ${o.durNs}`)).toEqual(['read 4096 ts 1 dur 1499999999', 'write 8192 ts 12000123456 dur undefined']);
    expect(r.summary.notes[0]).toBe('blkparse\'s own summary: 2412 reads and 12 writes queued; imported 1 reads and 1 writes (they DIFFER)');
    expect(r.summary.lines).toEqual({ total: 14, used: 3, skipped: { blank: 2, summary: 9 }, bad: 0, badSamples: [] });
  });

  it('per-CPU blocks add up when there is no Total block', async () => {
    const { load } = await import('./helpers.js');
    const r = await load([
      '  8,0    1        1     0.000000001 14364  Q  RS 8 + 8 [fio]',
      'CPU0 (8,0):',
      ' Reads Queued:          10,       40KiB\t Writes Queued:           1,        4KiB',
      'CPU12 (8,0):',
      ' Reads Queued:           5,       20KiB\t Writes Queued:           0,        0KiB',
      '',
    ].join('\n'), { format: 'blkparse' });
    expect(r.summary.notes[0]).toBe('blkparse\'s own summary: 15 reads and 1 writes queued; imported 1 reads and 0 writes (they DIFFER)');
  });

  it('a blkparse file with no event line is still blkparse when named', async () => {
    const { load } = await import('./helpers.js');
    const r = await load('CPU0 (8,0):\n Reads Queued:           0,        0KiB\t Writes Queued:           0,        0KiB\n', { format: 'blkparse' });
    expect(r.ops).toEqual([]);
    expect(r.summary.notes).toEqual(['blkparse\'s own summary: 0 reads and 0 writes queued; imported 0 reads and 0 writes (they agree)']);
  });
});
