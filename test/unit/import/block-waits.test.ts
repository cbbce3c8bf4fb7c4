/** Block requests (dispatches without a queue, completions at sector 0, requests never completed), the lock class a wait is put in, and a few op stream and blkparse edges. */
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { type BlockAction, BlockOpBuilder, parseBlockTail } from '../../../src/import/block.js';
import { ContentionTracker } from '../../../src/import/contention.js';
import { opRow, opStreamHeader } from '../../../src/import/opstream.js';
import { SelectingSink } from '../../../src/import/selection.js';
import type { Op } from '../../../src/model/op.js';
import { load } from './helpers.js';

function builder() {
  const counter = new LineCounter();
  const ops: Op[] = [];
  const b = new BlockOpBuilder(new SelectingSink({ op: (o) => ops.push(o), lock: () => {} }, counter), counter, new BadLines('blk', true, counter));
  let line = 0;
  const act = (action: string, rwbs: string, sector: number, sectors: number, tsNs: number, extra: Partial<BlockAction> = {}): void =>
    b.handle({ tsNs, pid: 5, comm: 'fio', major: 8, minor: 16, action, rwbs, sector, sectors, line: ++line, ...extra });
  const brief = (): string[] => ops.map((o) => `${o.kind} ${o.offset}+${o.lengthBytes} ts ${o.tsNs}${o.durNs !== undefined ? ` dur ${o.durNs}` : ''} line ${o.line}`);
  return { b, act, brief, counter };
}

describe('block requests', () => {
  it('each D goes to the queued request at its sector', () => {
    const t = builder();
    t.act('Q', 'RS', 8, 8, 0);
    t.act('Q', 'RS', 16, 8, 10);
    t.act('D', 'RS', 16, 8, 20);
    t.act('D', 'RS', 8, 8, 40);
    t.act('C', 'RS', 8, 16, 100);
    t.b.finish();
    expect(t.brief()).toEqual(['read 4096+4096 ts 0 dur 60 line 1', 'read 8192+4096 ts 10 dur 80 line 2']);
  });

  it('a D without its Q at sector 0 starts an op; a second D of that sector is another request', () => {
    const t = builder();
    t.act('D', 'WS', 0, 8, 0);
    t.act('D', 'WS', 0, 8, 5);
    t.act('C', 'WS', 0, 8, 10);
    t.b.finish();
    expect(t.brief()).toEqual(['write 0+4096 ts 0 dur 10 line 1', 'write 0+4096 ts 5 dur 5 line 2']);
    expect(t.counter.result()).toMatchObject({ used: 3, skipped: {} });
  });

  it('only the requests never completed are counted incomplete', () => {
    const t = builder();
    t.act('Q', 'RS', 8, 8, 0);
    t.act('Q', 'RS', 16, 8, 10);
    t.act('C', 'RS', 16, 8, 20);
    t.b.finish();
    expect(t.b.stats.incomplete).toBe(1);
  });

  it('the tail\'s range: the sector must come first; blanks around "+"; a count of several digits', () => {
    const o = { action: '', rwbs: '', sector: 0, sectors: 0, comm: '' };
    parseBlockTail('Q R x 8 + 8 [a]', o);
    expect([o.sector, o.sectors]).toEqual([-1, 0]);
    parseBlockTail('Q R 8  +  16 [a]', o);
    expect([o.sector, o.sectors]).toEqual([8, 16]);
  });

  it('blkparse: an unplug by timer is named', async () => {
    const r = await load('  8,0    1        1     0.000000001 14364  T  N [fio] 1\n', { format: 'blkparse' });
    expect(r.summary.lines.skipped).toEqual({ 'block-action-unplug-timer': 1 });
  });
});

describe('ContentionTracker: the address decides between the classes of one call', () => {
  it('a class learnt from an unambiguous call wins, whichever place it has in the call\'s flags', () => {
    const t = new ContentionTracker();
    const wait = (flags: string, addr: string): string => {
      t.ilock(1, flags, '7:0:133', 0);
      t.begin(1, 0, `${addr} (flags=WRITE)`, 1);
      return t.end(1, 'c', 10, addr)?.caller ?? '';
    };
    expect(wait('MMAPLOCK_EXCL', 'a1')).toBe('MMAPLOCK');
    expect(wait('IOLOCK_EXCL|MMAPLOCK_EXCL', 'a1')).toBe('MMAPLOCK');
    // an ambiguous call teaches nothing about its address
    expect(wait('MMAPLOCK_EXCL|ILOCK_EXCL', 'a2')).toBe('MMAPLOCK');
    expect(wait('IOLOCK_EXCL|MMAPLOCK_EXCL', 'a2')).toBe('IOLOCK');
  });
});

const OP: Op = { id: 0, tsNs: 1000, pid: 7, proc: 'tgid:7', comm: 'fio', file: '7:0:133', kind: 'write', offset: 0, lengthBytes: 4096, line: 0 };

describe('op streams', () => {
  it('line 0 is a line; a quote opened on the last line skips no other line', async () => {
    expect((await load(opStreamHeader() + opRow(OP))).ops.map((o) => o.line)).toEqual([0]);
    const r = await load(`${opStreamHeader()}${opRow(OP)}op,1,"x`, { lenient: true });
    expect(r.summary.opStreamLines).toEqual({ total: 4, used: 1, bad: 1, skipped: { comment: 1, header: 1 }, badSamples: [`${r.path}:4: not a valid op stream (a quoted field is not closed)`] });
  });
});

describe('ContentionTracker', () => {
  it('a class learnt for an address the call does not name: the call\'s class', () => {
    const t = new ContentionTracker();
    const wait = (flags: string, addr: string): string => {
      t.ilock(1, flags, '7:0:133', 0);
      t.begin(1, 0, `${addr} (flags=WRITE)`, 1);
      return t.end(1, 'c', 10, addr)?.caller ?? '';
    };
    expect(wait('MMAPLOCK_EXCL', 'b1')).toBe('MMAPLOCK');
    expect(wait('IOLOCK_EXCL', 'b1')).toBe('IOLOCK');
  });
});

describe('blkparse', () => {
  it('an unplug by timer (UT); a line with a summary word inside is a bad line', async () => {
    const r = await load('  8,0    1        1     0.000000001 14364  UT  N [fio] 1\nsome Events here\n', { format: 'blkparse', lenient: true });
    expect(r.summary.lines).toMatchObject({ bad: 1, skipped: { 'block-action-unplug-timer': 1 } });
  });
});
