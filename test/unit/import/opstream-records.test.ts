/** Op stream records read back: each field's check, quoted fields across lines (LF and CR LF), lock records left out, the csv-parse reference reader. */
import { describe, expect, it } from 'vitest';
import { lockRow, opRow, opStreamFooter, opStreamHeader, readOpStream, readOpStreamWithCsvParse } from '../../../src/import/opstream.js';
import type { ObservedLock, Op } from '../../../src/model/op.js';
import { failure, load } from './helpers.js';

const OP: Op = { id: 0, tsNs: 1000, pid: 7, proc: 'tgid:7', comm: 'fio', file: '7:0:133', kind: 'write', offset: 0, lengthBytes: 4096, line: 3 };
const LOCK: ObservedLock = { tsNs: 1100, pid: 7, comm: 'fio', target: '7:0:133', event: 'xfs_ilock', mode: 'IOLOCK_EXCL', caller: 'x', line: 5 };
/** an op record with fields replaced (by column index) */
const rec = (over: Record<number, string>, base: Op = OP): string => {
  const f = opRow(base).trimEnd().split(',');
  for (const [i, v] of Object.entries(over)) f[Number(i)] = v;
  return f.join(',');
};
async function* chunks(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text, 'utf8');
}
const samples = async (text: string): Promise<string[]> => {
  const r = await load(text, { lenient: true });
  return r.summary.opStreamLines?.badSamples.map((s) => s.slice(r.path.length + 1)) ?? [];
};

describe('op stream records', () => {
  it('every number column is checked by name; pid 0 is a task; line and range rules', async () => {
    const text = opStreamHeader() + [
      rec({ 1: '' }), rec({ 1: 'x' }), rec({ 2: 'x' }), rec({ 4: 'x' }), rec({ 9: 'x' }), rec({ 10: 'x' }), rec({ 12: 'x' }), rec({ 3: 'x' }), rec({ 11: 'x' }),
      '',
    ].join('\n');
    expect(await samples(text)).toEqual([
      '3: column id is not a number', '4: column id is not a number', '5: column ts_ns is not a number', '6: column pid is not a number',
      '7: column offset is not a number', '8: column length is not a number', '9: column line is not a number', '10: column dur_ns is not a number',
      '11: column parent is not a number',
    ]);
    const more = await samples(opStreamHeader() + [rec({ 1: '1', 4: '0' }), rec({ 1: '2', 12: '-1' }), rec({ 1: '3', 12: '1.5' }), rec({ 1: '4', 9: '-1' }), rec({ 1: '5', 2: '999' }), ''].join('\n'));
    expect(more).toEqual([
      '4: column line: -1 is not a line number (a whole number, 0 or more)',
      '5: column line: 1.5 is not a line number (a whole number, 0 or more)',
      '6: offset -1 is negative',
      '7: column ts_ns: timestamp goes backwards (0.000000999s after 0.000001000s)',
    ]);
    expect((await load(opStreamHeader() + rec({ 4: '0' }) + '\n')).ops.map((o) => o.pid)).toEqual([0]);
  });

  it('lock records a reader does not keep are counted as such', async () => {
    const r = await load(opStreamHeader() + opRow(OP) + lockRow(LOCK), { keepLocks: false });
    expect(r.locks).toEqual([]);
    expect(r.summary.opStreamLines).toEqual({ total: 4, used: 1, skipped: { header: 1, comment: 1, 'lock-record': 1 }, bad: 0, badSamples: [] });
  });

  it('a quoted field across lines keeps its line breaks (CR LF too) and its blank lines', async () => {
    const lf = opStreamHeader() + rec({ 6: '"a\n\nb\nc"' }) + '\n';
    expect((await load(lf)).ops.map((o) => o.comm)).toEqual(['a\n\nb\nc']);
    const crlf = opStreamHeader() + rec({ 6: '"a\r\nb\r\nc"' }) + '\r\n';
    const r = await load(crlf);
    expect(r.ops.map((o) => o.comm)).toEqual(['a\r\nb\r\nc']);
    expect(r.summary.opStreamLines?.skipped).toEqual({ comment: 1, header: 1, 'quoted-line-break': 2 });
  });

  it('a quoted field still open at the end: its first line is bad, the lines after it are read on their own', async () => {
    const r = await load(opStreamHeader() + rec({ 6: '"a\nb\nc' }) + '\n', { lenient: true });
    expect(r.summary.opStreamLines).toMatchObject({ bad: 3, skipped: { comment: 1, header: 1 } });
    expect(r.summary.opStreamLines?.badSamples[0]).toBe(`${r.path}:3: not a valid op stream (a quoted field is not closed)`);
  });

  it('a header that does not match, on a last line without a newline', async () => {
    const f = await failure('# lockreplay-ops v1\nrec,id');
    expect([f.message, f.code]).toEqual([`${f.path}:2: op stream header does not match the columns of version 2 (rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns) or 1 (without spin_ns)`, 5]);
  });
});

describe('the csv-parse reference reader', () => {
  it('reads what the writer writes, blank lines skipped; a bad record is named once, with its line', async () => {
    const text = opStreamHeader() + opRow(OP) + '\n' + lockRow(LOCK) + opStreamFooter({ input: 'x' });
    const r = await readOpStreamWithCsvParse(chunks(text), 'in');
    expect(r.ops.toArray()).toEqual([OP]);
    expect(r.locks).toEqual([LOCK]);
    expect(r.summary).toEqual({ input: 'x' });
    await expect(readOpStreamWithCsvParse(chunks(`${opStreamHeader()}${rec({ 8: 'scribble' })}\n`), 'in')).rejects.toMatchObject({ message: 'in:3: unknown op kind "scribble"' });
    await expect(readOpStreamWithCsvParse(chunks(`${opStreamHeader()}op,1,2\n`), 'in')).rejects.toMatchObject({
      message: expect.stringMatching(/^in:3: not a valid op stream \(Invalid Record Length/),
    });
    const own = await readOpStream(chunks(text), 'in');
    expect(own).toEqual(r);
  });
});
