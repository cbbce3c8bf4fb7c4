/**
 * Bytes after the end of gzip data are not trace text: zero padding (a tape block, a partial
 * preallocation) is read past with a note that says how much was ignored; other bytes after it
 * are said to be no gzip data; non-zero bytes right after a member are corrupt gzip (exit 4).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-gzip-tail-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const gz = readFileSync(trace('xfs-mix.trace.gz'));
const write = (name: string, ...parts: Buffer[]): string => {
  const p = join(tmp, name);
  writeFileSync(p, Buffer.concat([gz, ...parts]));
  return p;
};
const summary = (args: string[], stdin?: Buffer): { code: number; notes: string[]; ops: unknown; stderr: string } => {
  const r = cli([...args, '--json'], stdin);
  const j = r.code === 0 ? (JSON.parse(r.stdout) as { notes: string[]; ops: unknown }) : { notes: [], ops: undefined };
  return { code: r.code, notes: j.notes, ops: j.ops, stderr: r.stderr };
};
const gzipNotes = (notes: string[]): string[] => notes.filter((n) => n.includes('after the end of the gzip data'));

describe('bytes after the gzip data', () => {
  const plain = summary(['import', trace('xfs-mix.trace.gz')]);

  it('a gzip file as it is: no note', () => {
    expect(plain.code).toBe(0);
    expect(gzipNotes(plain.notes)).toEqual([]);
  });

  it('zero padding: the same ops, and a note with the count, from a file and (at least) from stdin', () => {
    const p = write('zeros.trace.gz', Buffer.alloc(300_000));
    const file = summary(['import', p]);
    expect([file.code, file.ops]).toEqual([0, plain.ops]);
    expect(gzipNotes(file.notes)).toEqual([`${p}: 300,000 bytes after the end of the gzip data were ignored (zero padding)`]);
    const stdin = summary(['import', '-'], readFileSync(p));
    expect([stdin.code, stdin.ops]).toEqual([0, plain.ops]);
    expect(gzipNotes(stdin.notes)).toHaveLength(1);
    expect(gzipNotes(stdin.notes)[0]).toMatch(/^<stdin>: at least [\d,]+ bytes after the end of the gzip data were ignored \(zero padding\)$/);
  });

  it('zeros, then other bytes: said to be no gzip data', () => {
    const p = write('zeros-then-text.trace.gz', Buffer.alloc(100), Buffer.from('not gzip\n'));
    const file = summary(['import', p]);
    expect([file.code, file.ops]).toEqual([0, plain.ops]);
    expect(gzipNotes(file.notes)).toEqual([`${p}: 109 bytes after the end of the gzip data were ignored (data that is not gzip)`]);
  });

  it('another gzip member after zero padding: exit 4 naming where (its data was lost with exit 0 and a note calling it no gzip data)', async () => {
    const { gzipSync } = await import('node:zlib');
    const more = gzipSync(Buffer.from('more lines\n'));
    const p = write('zeros-then-member.trace.gz', Buffer.alloc(1), more);
    const file = summary(['import', p]);
    expect(file.code).toBe(4);
    expect(file.stderr).toMatch(/zeros-then-member\.trace\.gz: gzip data at byte [\d,]+ follows 1 zero bytes after the first gzip data: not read \(concatenated gzip members are read, but not across padding/);
    const stdin = summary(['import', '-'], readFileSync(p));
    expect(stdin.code).toBe(4);
    expect(stdin.stderr).toMatch(/<stdin>: gzip data at byte [\d,]+ follows 1 zero bytes/);
  });

  it('other bytes right after the gzip data: corrupt gzip, exit 4, nothing half-done', () => {
    const p = write('text.trace.gz', Buffer.from('garbage\n'));
    const r = summary(['import', p]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`${p}: corrupt gzip data`);
  });
});
