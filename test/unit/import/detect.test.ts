import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/import/index.js';
import { failure, load } from './helpers.js';

const d = (text: string) => detectFormat(Buffer.from(text, 'latin1'), 'in');
const FT = '             fio-12734   [000] .....   618.022805: sys_pwrite64(fd: 7, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x3dc000)';
const BLK = '  7,0    1        1     0.000000000 14364  Q  RS 133248 + 8 [(null)]';

describe('detectFormat', () => {
  it('names each format from its first lines', () => {
    expect(d('# lockreplay-ops v1\nrec,id\n')).toEqual({ format: 'ops' });
    // a UTF-8 byte order mark before the first line
    const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(detectFormat(Buffer.concat([BOM, Buffer.from('fio version 2 iolog\n')]), 'in')).toEqual({ format: 'fio-iolog' });
    expect(detectFormat(Buffer.concat([BOM, Buffer.from('version,time,op,size,lbn\n')]), 'in')).toEqual({ format: 'csv', preset: 'cloudphysics' });
    expect(d('\n  fio version 3 iolog  \r\n')).toEqual({ format: 'fio-iolog' });
    expect(() => d('fio version 4 iolog\n')).toThrow('cannot tell the format');
    expect(d(`version = 6\ncpus=2\n${FT}\n`)).toEqual({ format: 'trace-cmd' });
    expect(d(`CPU 0 is empty\n${FT}\n`)).toEqual({ format: 'trace-cmd' });
    expect(d(`${FT}\n`)).toEqual({ format: 'ftrace' });
    expect(d('# tracer: nop\n')).toEqual({ format: 'ftrace' });
    // sys_enter_ events without a tracer header are trace-cmd's rendering; with one, ftrace's
    const enter = '             fio-12752 [000]   619.541289: sys_enter_pwrite64:   fd: 0x00000007';
    expect(d(`${enter}\n`)).toEqual({ format: 'trace-cmd' });
    expect(d(`# tracer: nop\n${enter}\n`)).toEqual({ format: 'ftrace' });
    expect(d(`${FT}\nbad\n`)).toEqual({ format: 'ftrace' });
    expect(d(`${BLK}\n${BLK}\nCPU1 (7,0):\n`)).toEqual({ format: 'blkparse' });
    expect(() => d(`${BLK}\nx\ny\n`)).toThrow('Candidates: blkparse (1 lines look like it)');
    expect(d('Version, Time, Op, Size, LBN\n')).toEqual({ format: 'csv', preset: 'cloudphysics' });
    expect(d('Timestamp,Response,IOType,LUN,Offset,Size\n')).toEqual({ format: 'csv', preset: 'systor' });
    expect(d('938513000 4 264719034 16 0\n 938828000 3 197570570 16 1 \n')).toEqual({ format: 'csv', preset: 'disksim' });
    expect(d('1,hm,1,Write,3154152960,4096,5018\n2,hm,1,Read,0,1,2\n')).toEqual({ format: 'csv', preset: 'msr' });
    expect(d('1,R,126703616,4096,1\n1,W,4096,512,2\n')).toEqual({ format: 'csv', preset: 'alibaba' });
    expect(d('1538323200,12345,8,0,1063\n1538323201,100,16,1,1063\n')).toEqual({ format: 'csv', preset: 'tencent' });
    // one bad row among the first ones does not hide the format; two do; one row alone is enough
    expect(d('1,R,0,1,1\nbroken\n1,W,0,1,2\n')).toEqual({ format: 'csv', preset: 'alibaba' });
    expect(d('1,R,0,1,1\n')).toEqual({ format: 'csv', preset: 'alibaba' });
    expect(() => d('1,R,0,1,1\nbroken\nalso,broken\n1,W,0,1,2\n')).toThrow('cannot tell the format');
    expect(() => d('1,R,0,1,1\nbroken\n')).toThrow('cannot tell the format');
  });

  it('says which candidates it saw', () => {
    expect(() => d(`${FT}\nx\ny\n`)).toThrow('in: cannot tell the format from its first lines. Candidates: ftrace text (1 of 3 lines parse). Name it with --format.');
    expect(() => d(`${BLK}\nx\ny\n`)).toThrow('Candidates: blkparse (1 lines look like it). Name it with --format.');
    expect(() => d('a,b\nc,d\n')).toThrow('It matches none of:');
    expect(() => d('a,b,c\n')).toThrow('Candidates: CSV with 3 columns (choose');
    try {
      d('x\n');
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(5);
    }
  });

  it('only the first 64 KiB are read; a cut last line is left out', () => {
    const long = `${'1,R,0,1,1\n'.repeat(7000)}`;
    expect(long.length).toBeGreaterThan(65536);
    expect(detectFormat(Buffer.from(long), 'in')).toEqual({ format: 'csv', preset: 'alibaba' });
  });
});

describe('a byte order mark', () => {
  it('before a fio iolog header is no bad line', async () => {
    const r = await load(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('fio version 2 iolog\n/dev/sda write 0 4096\n')]));
    expect(r.summary.format).toBe('fio-iolog');
    expect(r.ops.map((o) => `${o.kind} ${o.offset}+${o.lengthBytes} line ${o.line}`)).toEqual(['write 0+4096 line 2']);
    expect(r.summary.lines).toEqual({ total: 2, used: 1, skipped: { header: 1 }, bad: 0, badSamples: [] });
  });
});

describe('gzip input', () => {
  it('a truncated gzip stream is unreadable (3); corrupt gzip data is bad input (4)', async () => {
    const gz = gzipSync(Buffer.from('# tracer: nop\n'.repeat(2000)));
    const cut = await failure(gz.subarray(0, gz.length - 20), {}, 'gz');
    expect(cut.code).toBe(3);
    expect(cut.message).toMatch(new RegExp(`^${cut.path}: the gzip stream is truncated \\(it ends before its last block; .+\\)$`));
    const bad = Buffer.from(gz);
    bad.fill(0x41, 12, 40);
    const corrupt = await failure(bad, {}, 'gz');
    expect(corrupt.code).toBe(4);
    expect(corrupt.message).toMatch(new RegExp(`^${corrupt.path}: corrupt gzip data \\(.+\\)$`));
  });
});
