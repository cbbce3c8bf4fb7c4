import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ObservedLock, Op } from '../src/model/op.js';
import { lockRow, opRow, opStreamFooter, opStreamHeader, readOpStream, readOpStreamWithCsvParse } from '../src/import/opstream.js';
import { cli, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-opstream-'));

/** the bytes in chunks of `size` (a line, a quoted field, a UTF-8 character cut anywhere) */
async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(bytes.length, at + size));
}

describe('op stream reader', () => {
  it('reads what csv-parse reads (the reference) from the op streams of real captures, locks included', async () => {
    for (const name of ['xfs-mix.trace.gz', 'xfs-nested-fault.trace.gz', 'ext4-mix.trace.gz']) {
      const out = join(tmp, `${name}.ops`);
      expect(cli(['import', trace(name), '-o', out]).code).toBe(0);
      const bytes = readFileSync(out);
      const fast = await readOpStream(chunks(bytes, 1 << 18), out);
      const reference = await readOpStreamWithCsvParse(chunks(bytes, 1 << 18), out);
      expect(fast.ops.n).toBeGreaterThan(1000);
      expect(fast.locks.length).toBeGreaterThan(0);
      expect(fast).toEqual(reference);
      // a replay does not need the lock records
      const noLocks = await readOpStream(chunks(bytes, 1 << 18), out, false);
      expect([noLocks.ops, noLocks.locks, noLocks.summary]).toEqual([fast.ops, [], fast.summary]);
    }
    // (three imports and six reads of real captures: 20 s alone on a busy 2-core machine, 30 s beside a fuzz run)
  }, 90_000);

  it('reads quoted fields (commas, quotes, line breaks, blanks, UTF-8) as written, in any chunking', async () => {
    const comms = ['a,b', 'say "hi"', 'two\nlines', 'crlf\r\ninside', '#hash', 'x#y', ' padded ', 'café 中文', 'kworker/u8:2-events_unbound'];
    const ops: Op[] = comms.map((comm, i) => ({ id: i, tsNs: 1000 + i, pid: i % 2 === 0 ? 10 + i : 10, proc: `tgid:${10 + i}`, comm, file: '7:0:133', kind: 'write', offset: 4096 * i, lengthBytes: 4096, line: 3 + i, ...(i % 2 === 0 ? { durNs: 50 } : { parent: 0 }) }));
    const locks: ObservedLock[] = [{ tsNs: 1001, pid: 10, comm: 'x,"y"', target: '7:0:133', event: 'xfs_ilock', mode: 'IOLOCK_SHARED', caller: 'xfs_file_buffered_write', line: 4 }];
    const text = opStreamHeader() + ops.map(opRow).join('') + locks.map(lockRow).join('') + opStreamFooter({ note: 'x' });
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 7, 64, 1 << 16]) {
      const fast = await readOpStream(chunks(bytes, size), 'mem.ops');
      expect(fast.ops.toArray()).toEqual(ops);
      expect(fast.locks).toEqual(locks);
      expect(fast.summary).toEqual({ note: 'x' });
      expect(fast).toEqual(await readOpStreamWithCsvParse(chunks(bytes, size), 'mem.ops'));
    }
  });

  it('a quote left open early fails at its own line in linear time (the open record is not re-read on every line)', async () => {
    const row = opRow({ id: 0, tsNs: 1, pid: 1, proc: 'pid:1', comm: 'a', file: 'f', kind: 'read', offset: 0, lengthBytes: 1, line: 1 });
    const text = `${opStreamHeader()}op,1,2,,3,p,"bash,f,read,0,1,,5,,\n${row.repeat(40_000)}`;
    const t0 = performance.now();
    await expect(readOpStream(chunks(Buffer.from(text), 1 << 16), 'stray.ops')).rejects.toThrow(/stray\.ops:3: not a valid op stream \(a quote opens a field that is not closed within 64 KiB: a stray quote\)/);
    // re-reading the open record on every line took minutes here; linear, it takes milliseconds
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('names the file and line of a bad record', async () => {
    const good = opRow({ id: 0, tsNs: 1, pid: 1, proc: 'pid:1', comm: 'a', file: 'f', kind: 'read', offset: 0, lengthBytes: 1, line: 1 });
    const cases: [string, RegExp][] = [
      [`${good}op,1,2\n`, /bad\.ops:4: not a valid op stream \(a record of 3 fields, not 16\)/],
      [good.replace(',read,', ',reed,'), /bad\.ops:3: unknown op kind "reed"/],
      [good.replace('op,0,1,', 'op,0,x,'), /bad\.ops:3: column ts_ns is not a number/],
      [`${good}op,1,2,,1,"open,\n`, /bad\.ops:4: not a valid op stream \(a quoted field is not closed\)/],
    ];
    for (const [body, message] of cases) {
      await expect(readOpStream(chunks(Buffer.from(opStreamHeader() + body), 5), 'bad.ops')).rejects.toThrow(message);
    }
  });
});
