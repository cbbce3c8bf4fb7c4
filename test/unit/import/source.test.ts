/** Input sources: files read in fixed-size chunks, gzip detected by its magic bytes, read errors as exit 3. */
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipReadBytes, openSource } from '../../../src/import/source.js';
import { failure, tmpFile } from './helpers.js';

async function readAll(path: string): Promise<{ chunks: number[]; text: Buffer; bytesRead: number; sizeBytes?: number; name: string }> {
  const s = openSource(path);
  expect(s.bytesRead).toBe(0);
  const parts: Buffer[] = [];
  const chunks: number[] = [];
  // the source reuses its buffer: each chunk is copied before the next is read
  for await (const c of s.chunks()) {
    chunks.push(c.length);
    parts.push(Buffer.from(c));
  }
  return { chunks, text: Buffer.concat(parts), bytesRead: s.bytesRead, sizeBytes: s.sizeBytes, name: s.name };
}

/** bytes that do not compress (a fixed pseudo-random sequence) */
function noise(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('openSource', () => {
  it('a file: its name and size; read in chunks of 256 KiB, each full but the last; bytes read counted', async () => {
    const data = noise((1 << 18) * 2 + 1000);
    const path = tmpFile(data, 'bin');
    const r = await readAll(path);
    expect(r.name).toBe(path);
    expect(r.sizeBytes).toBe(data.length);
    expect(r.chunks).toEqual([1 << 18, 1 << 18, 1000]);
    expect(r.text.equals(data)).toBe(true);
    expect(r.bytesRead).toBe(data.length);
  });

  it('the file is closed once read', async () => {
    const path = tmpFile('a\nb\n');
    const open = (): number => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 3; i++) await readAll(path);
    expect(open()).toBe(before);
  });

  it('an empty file yields no chunk', async () => {
    const r = await readAll(tmpFile(''));
    expect(r.chunks).toEqual([]);
    expect([r.sizeBytes, r.bytesRead]).toEqual([0, 0]);
  });

  it('standard input is "-": named <stdin>, with no size', () => {
    const s = openSource('-');
    expect([s.name, s.sizeBytes, s.bytesRead]).toEqual(['<stdin>', undefined, 0]);
  });

  it('gzip input is inflated; the bytes read are the compressed ones', async () => {
    // larger than a read chunk compressed (noise), and than zlib's 4 MiB output buffer inflated
    const data = Buffer.concat([noise(600_000), Buffer.alloc(5 << 20, 0x61)]);
    const gz = gzipSync(data);
    expect(gz.length).toBeGreaterThan(1 << 19);
    const path = tmpFile(gz, 'gz');
    const r = await readAll(path);
    expect(r.text.equals(data)).toBe(true);
    expect(r.sizeBytes).toBe(gz.length);
    expect(r.bytesRead).toBe(gz.length);
  });

  it('each gzip read after the first inflates to at most 1/4 of zlib\'s 1 MiB buffer: little is left to inflate while a chunk is parsed', async () => {
    // text lines that compress about 20x, as real traces do (the bench trace: 17.5x)
    const lines: string[] = [];
    let x = 7;
    for (let i = 0; lines.length < 200_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      lines.push(`fio-${1000 + (x % 4)} [00${x % 2}] ${(17046 + i / 1e4).toFixed(6)}: xfs_ilock: dev 7:0 ino 0x83 flags IOLOCK_SHARED caller xfs_file_dio_read+0x${(x >>> 20).toString(16)}/0x130`);
    }
    const data = Buffer.from(lines.join('\n') + '\n');
    const gz = gzipSync(data);
    expect(data.length / gz.length).toBeGreaterThan(10);
    const s = openSource(tmpFile(gz, 'gz'));
    // the bytes inflated from each read, by the bytes read when they came
    const inflatedBy = new Map<number, number>();
    const parts: Buffer[] = [];
    for await (const c of s.chunks()) {
      inflatedBy.set(s.bytesRead, (inflatedBy.get(s.bytesRead) ?? 0) + c.length);
      parts.push(Buffer.from(c));
    }
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    // the first read (256 KiB) inflates to several MiB; from there, each read to about 256 KiB
    const later = [...inflatedBy.values()].slice(1, -1);
    expect(later.length).toBeGreaterThan(20);
    for (const n of later) expect(n).toBeLessThan(320 << 10);
  });

  it('a gzip read is sized by the ratio inflated so far: 1/4 of 1 MiB inflated, between 4 and 128 KiB', () => {
    expect(gzipReadBytes(0, 0)).toBe(128 << 10);
    expect(gzipReadBytes(1000, 900)).toBe(128 << 10);
    expect(gzipReadBytes(1 << 20, 2 << 20)).toBe(128 << 10);
    expect(gzipReadBytes(1 << 20, 16 << 20)).toBe(16384);
    expect(gzipReadBytes(1 << 20, 1000 << 20)).toBe(4096);
  });

  it('the gzip magic is two bytes: one byte 0x1f is plain text; 0x1f 0x8b alone is a truncated gzip stream', async () => {
    const one = await readAll(tmpFile(Buffer.from([0x1f])));
    expect([...one.text]).toEqual([0x1f]);
    const two = await failure(Buffer.from([0x1f, 0x8b]));
    expect(two.code).toBe(3);
    expect(two.message).toMatch(new RegExp(`^${two.path}: the gzip stream is truncated \\(it ends before its last block; unexpected end of file\\)$`));
    // 0x8b 0x1f (the magic reversed) is no gzip
    const rev = await readAll(tmpFile(Buffer.from([0x8b, 0x1f, 0x0a])));
    expect([...rev.text]).toEqual([0x8b, 0x1f, 0x0a]);
    const half = await readAll(tmpFile(Buffer.from([0x1f, 0x8c, 0x0a])));
    expect([...half.text]).toEqual([0x1f, 0x8c, 0x0a]);
  });

  it('a file gone before it is read, or become a directory, cannot be read (exit 3)', async () => {
    const gone = tmpFile('x\n');
    const s = openSource(gone);
    unlinkSync(gone);
    await expect((async () => {
      for await (const c of s.chunks()) void c;
    })()).rejects.toMatchObject({ message: `${gone}: cannot read (ENOENT)`, exitCode: 3 });
    const dir = tmpFile('y\n');
    const d = openSource(dir);
    unlinkSync(dir);
    mkdirSync(dir);
    await expect((async () => {
      for await (const c of d.chunks()) void c;
    })()).rejects.toMatchObject({ message: `${dir}: cannot read (EISDIR)`, exitCode: 3 });
  });

  it('a path that cannot be stat\'ed names the reason', () => {
    const f = tmpFile('z');
    expect(() => openSource(`${f}/below`)).toThrow(expect.objectContaining({ message: `${f}/below: cannot read (ENOTDIR)`, exitCode: 3 }));
  });
});

describe('openSource', () => {
  it('0x8b second without 0x1f first is no gzip', async () => {
    const parts: Buffer[] = [];
    for await (const c of openSource(tmpFile(Buffer.from([0x00, 0x8b, 0x0a]))).chunks()) parts.push(Buffer.from(c));
    expect([...Buffer.concat(parts)]).toEqual([0x00, 0x8b, 0x0a]);
  });
});
