/**
 * Op stream edges from a review: a stray quote, a corrupt or missing footer, the version line, lock
 * and op row columns, time order of a re-import. In-process where it can be (no build needed).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ImportOptions, importTrace, loadTrace } from '../src/import/index.js';
import { lockRow, MAX_QUOTED_RECORD_BYTES, opRow, opStreamFooter, opStreamHeader, readOpStream } from '../src/import/opstream.js';
import type { Op } from '../src/model/op.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-opstream-edges-'));
let files = 0;

function tmpFile(text: string): string {
  const path = join(dir, `in-${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

async function* chunksOf(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text, 'utf8');
}

/** the error an import of `text` stops with, or 'no error' */
async function failure(text: string, options: ImportOptions = {}): Promise<{ message: string; code: number }> {
  try {
    await importTrace(tmpFile(text), { op: () => {}, lock: () => {} }, { format: 'ops', ...options });
  } catch (e) {
    return { message: (e as Error).message, code: (e as { exitCode: number }).exitCode };
  }
  return { message: 'no error', code: 0 };
}

const op = (id: number, over: Partial<Op> = {}): Op => ({ id, tsNs: 1000 + 10 * id, durNs: 500, pid: 10, proc: 'tgid:10', comm: 'a', file: '7:0:1', kind: 'write', offset: 4096 * id, lengthBytes: 4096, line: id + 1, ...over });

/** a footer as an import writes it, for `ops` op rows */
function footer(ops: number, over: Record<string, unknown> = {}): string {
  return opStreamFooter({ schema: 'lockreplay-import/1', input: 'x.trace', format: 'ftrace', cpus: 2, lostEvents: 0, bytes: 0, lines: { total: ops, used: ops, skipped: {}, bad: 0, badSamples: [] }, ops: { total: ops, byKind: { write: ops }, byFile: {} }, observedLocks: 0, notes: [], ...over });
}

describe('a stray quote', () => {
  const stray = 'op,0,1000,500,10,tgid:10,"a,7:0:1,write,0,4096,,1,,,\n';
  const rows = Array.from({ length: 50 }, (_, i) => opRow(op(i + 1))).join('');

  it('is one bad line: the rows after it and the footer are read (--lenient)', async () => {
    const r = await loadTrace(tmpFile(opStreamHeader() + stray + rows + footer(51)), { lenient: true });
    expect(r.ops.length).toBe(50);
    expect(r.summary.cpus).toBe(2);
    expect(r.summary.opStreamLines).toMatchObject({ total: 54, used: 50, bad: 1, skipped: { comment: 2, header: 1 } });
    expect(r.summary.opStreamLines?.badSamples[0]).toMatch(/:3: not a valid op stream \(a quote opens a field that this line does not close; closed on line 54, the record has \d+ fields, not 16: a stray quote\)$/);
  });

  it('stops a strict read at its own line, not at the end of the file', async () => {
    const f = await failure(opStreamHeader() + stray + rows + footer(51));
    expect(f.code).toBe(4);
    expect(f.message).toMatch(/:3: not a valid op stream \(a quote opens a field/);
  });

  it('left open to the end: its line is bad, the lines after it are read', async () => {
    const r = await loadTrace(tmpFile(opStreamHeader() + stray + rows), { lenient: true });
    expect(r.ops.length).toBe(50);
    expect(r.summary.opStreamLines).toMatchObject({ used: 50, bad: 1 });
    expect(r.summary.opStreamLines?.badSamples[0]).toMatch(/:3: not a valid op stream \(a quoted field is not closed\)$/);
  });

  it(`held open past ${MAX_QUOTED_RECORD_BYTES} bytes of rows without quotes: a stray quote, every row after it read`, async () => {
    const many = Array.from({ length: 2000 }, (_, i) => opRow(op(i + 1))).join('');
    const r = await loadTrace(tmpFile(opStreamHeader() + stray + many + footer(2001)), { lenient: true });
    expect(r.ops.length).toBe(2000);
    expect(r.summary.opStreamLines?.badSamples).toEqual([expect.stringMatching(/:3: not a valid op stream \(a quote opens a field that is not closed within 64 KiB: a stray quote\)$/)]);
  });

  it('a quoted field the writer breaks over lines is still one record', async () => {
    const text = opStreamHeader() + opRow(op(0, { comm: 'two\nlines' })) + rows + footer(51);
    const r = await readOpStream(chunksOf(text), 'q.ops');
    expect(r.ops.n).toBe(51);
    expect(r.ops.at(0).comm).toBe('two\nlines');
  });
});

describe('the summary footer', () => {
  const rows = [opRow(op(0)), opRow(op(1))].join('');

  it('a footer that is not JSON (cut short or edited) is a bad line (exit 4), not "no footer"', async () => {
    for (const bad of ['# summary: {"broken\n', footer(2).slice(0, 40), '# summ']) {
      const f = await failure(opStreamHeader() + rows + bad);
      expect(f.code, bad).toBe(4);
      expect(f.message, bad).toMatch(/:5: summary footer: (not valid JSON, cut short or edited|cut short)/);
    }
  });

  it('with --lenient a corrupt footer is left out with a note and counted as a bad line', async () => {
    const r = await loadTrace(tmpFile(`${opStreamHeader()}${rows}# summary: {"cpus":2,"broken\n`), { format: 'ops', lenient: true });
    expect(r.ops.length).toBe(2);
    expect(r.summary.cpus).toBeUndefined();
    expect(r.summary.opStreamLines).toMatchObject({ total: 5, used: 2, bad: 1, skipped: { comment: 1, header: 1 } });
    expect(r.summary.notes.some((n) => n.startsWith('line 5: the summary footer: not valid JSON'))).toBe(true);
  });

  it('a footer whose ops.total is not the op rows read is a bad footer (the stream was cut or edited)', async () => {
    const f = await failure(opStreamHeader() + rows + footer(3));
    expect([f.code, f.message]).toEqual([4, expect.stringMatching(/:5: summary footer: ops\.total is 3, but the stream has 2 op rows \(the stream was cut short or edited\)$/)]);
    // its own count: read, CPUs and all
    const r = await loadTrace(tmpFile(opStreamHeader() + rows + footer(2)), { format: 'ops' });
    expect(r.summary.cpus).toBe(2);
  });

  it('rows without a footer get a note that the stream may be cut short', async () => {
    const r = await loadTrace(tmpFile(opStreamHeader() + rows), { format: 'ops' });
    expect(r.summary.notes).toContain('the op stream has no summary footer (an import writes one as its last line): it may be cut short; CPUs, the trace\'s line accounting and file aliases are unknown');
  });
});

describe('the version line', () => {
  const rest = `${opStreamHeader().split('\n')[1]}\n${opRow(op(0))}${footer(1)}`;

  it('any version but 1 and 2, or none, is refused naming file:1 (exit 5), with --format ops too', async () => {
    for (const first of ['# lockreplay-ops v3\n', '# lockreplay-ops v2.9-future\n', '# lockreplay-ops v22\n', '']) {
      for (const options of [{ format: 'ops' as const }, { format: 'ops' as const, lenient: true }]) {
        const f = await failure(first + rest, options);
        expect(f.code, first).toBe(5);
        expect(f.message, first).toMatch(/in-\d+\.csv:1: not an op stream this version reads: its (version line is "# lockreplay-ops v|first line is not the version line \("rec,id)/);
      }
    }
  });

  it('versions 1 and 2 are read', async () => {
    expect((await loadTrace(tmpFile(`# lockreplay-ops v2\n${rest}`), { format: 'ops' })).ops.length).toBe(1);
    const v1 = `# lockreplay-ops v1\n${rest.replace(',spin_ns\n', '\n').replace(/,\n/, '\n')}`;
    expect((await loadTrace(tmpFile(v1), { format: 'ops' })).ops.length).toBe(1);
  });
});

describe('op and lock row columns', () => {
  const lock = 'lock,,1500,,11,,b,7:0:1,xfs_ilock,,,,3,IOLOCK_EXCL,caller,';
  /** the bad-line samples of a stream of these rows, without the file name */
  async function samples(rows: string[]): Promise<string[]> {
    const r = await loadTrace(tmpFile(`${opStreamHeader()}${rows.join('\n')}\n`), { format: 'ops', lenient: true });
    return r.summary.opStreamLines?.badSamples.map((s) => s.replace(/^.*?:(\d+): /, '$1: ')) ?? [];
  }
  const field = (row: string, i: number, value: string): string => row.split(',').map((f, k) => (k === i ? value : f)).join(',');
  const opLine = opRow(op(0)).trimEnd();

  it('an unknown lock event is a bad line', async () => {
    expect(await samples([lock, field(lock, 8, 'frobnicate')])).toEqual(['4: unknown lock event "frobnicate"']);
  });

  it('a column a row type leaves empty must be empty', async () => {
    expect(await samples([
      field(lock, 1, '7'), field(lock, 5, 'tgid:11'), field(lock, 9, '0'), field(lock, 10, '4096'), field(lock, 11, '0'),
      field(opLine, 13, 'IOLOCK_EXCL'), field(opLine, 14, 'caller'),
    ])).toEqual([
      '3: column id: a lock row has none (it holds "7")', '4: column proc: a lock row has none (it holds "tgid:11")', '5: column offset: a lock row has none (it holds "0")',
      '6: column length: a lock row has none (it holds "4096")', '7: column parent: a lock row has none (it holds "0")',
      '8: column mode: an op row has none (it holds "IOLOCK_EXCL")', '9: column caller: an op row has none (it holds "caller")',
    ]);
  });

  it('numbers are decimal digits: hex, exponents, spaces and Infinity are bad lines', async () => {
    expect(await samples([field(lock, 2, '0x7d0'), field(lock, 2, '2e3'), field(lock, 2, ' 2000 '), field(lock, 12, '+3'), field(opLine, 2, 'Infinity'), field(opLine, 9, '1e3')])).toEqual([
      '3: column ts_ns: "0x7d0" is not a number in decimal digits', '4: column ts_ns: "2e3" is not a number in decimal digits', '5: column ts_ns: " 2000 " is not a number in decimal digits',
      '6: column line: "+3" is not a number in decimal digits', '7: column ts_ns is not a number', '8: column offset: "1e3" is not a number in decimal digits',
    ]);
    // what the writer writes for a fraction of a nanosecond is read
    const r = await loadTrace(tmpFile(`${opStreamHeader()}${field(opLine, 3, '0.5')}\n${field(field(opRow(op(1)).trimEnd(), 3, '1e-7'), 2, '1010.25')}\n`), { format: 'ops' });
    expect(r.ops.map((o) => [o.tsNs, o.durNs])).toEqual([[1000, 0.5], [1010.25, 1e-7]]);
  });

  it('a time going backwards names both times to the nanosecond when microseconds would show them equal', async () => {
    expect(await samples([field(lock, 2, '1000'), field(lock, 2, '999')])).toEqual(['4: column ts_ns: timestamp goes backwards (0.000000999s after 0.000001000s)']);
  });
});

describe('a re-import', () => {
  it('writes the rows in the order (time order) the stream has them: lock rows stay among the op rows', async () => {
    const lock = (tsNs: number, line: number) => ({ tsNs, pid: 10, comm: 'a', target: '7:0:1', event: 'xfs_ilock', mode: 'IOLOCK_EXCL', caller: 'c', line });
    const rows = [lockRow(lock(990, 1)), opRow(op(0)), lockRow(lock(1005, 2)), lockRow(lock(1006, 3)), opRow(op(1)), opRow(op(2)), lockRow(lock(1030, 4))];
    const order: string[] = [];
    await importTrace(tmpFile(opStreamHeader() + rows.join('') + footer(3, { observedLocks: 4 })), { op: (o) => order.push(`op ${o.tsNs}`), lock: (l) => order.push(`lock ${l.tsNs}`) }, { format: 'ops' });
    expect(order).toEqual(['lock 990', 'op 1000', 'lock 1005', 'lock 1006', 'op 1010', 'op 1020', 'lock 1030']);
    // relative times still count from the first op row, not from the lock row before it
    const from: string[] = [];
    await importTrace(tmpFile(opStreamHeader() + rows.join('') + footer(3)), { op: (o) => from.push(`op ${o.tsNs}`), lock: (l) => from.push(`lock ${l.tsNs}`) }, { format: 'ops', fromNs: 10, timesRelative: true });
    expect(from).toEqual(['op 1010', 'op 1020', 'lock 1030']);
  });
});

describe('the --lenient replay warning', () => {
  it('counts a bad line of an op stream without a footer once (its accounting is the trace\'s too)', async () => {
    const { prepare } = await import('../src/replay/index.js');
    const rows = `${opRow(op(0))}op,1,2\n${opRow(op(2))}`;
    const noFooter = await loadTrace(tmpFile(opStreamHeader() + rows), { format: 'ops', lenient: true });
    expect([noFooter.summary.lines.bad, noFooter.summary.opStreamLines?.bad]).toEqual([1, 1]);
    const warned = (t: typeof noFooter): string | undefined => prepare({ ...t, waits: [] }, { cpus: 1 }).warnings.find((w) => w.includes('bad input line'));
    expect(warned(noFooter)).toMatch(/^1 bad input line was skipped \(--lenient\); the first: .*:4: not a valid op stream/);
    // with a footer, the trace's bad lines and the stream's own are different lines: they add
    const withFooter = await loadTrace(tmpFile(opStreamHeader() + rows + footer(2, { lines: { total: 9, used: 7, skipped: {}, bad: 2, badSamples: ['x.trace:5: bad'] } })), { format: 'ops', lenient: true });
    expect(warned(withFooter)).toMatch(/^3 bad input lines were skipped \(--lenient\); the first: x\.trace:5: bad/);
  });
});
