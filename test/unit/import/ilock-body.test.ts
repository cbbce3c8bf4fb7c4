/** The xfs_ilock body read from bytes: what the text readers (inodeKey, wordAfter) give, or no answer. */
import { describe, expect, it } from 'vitest';
import { IlockBody } from '../../../src/import/ilock-body.js';
import { inodeKey } from '../../../src/import/event-fields.js';
import { wordAfter } from '../../../src/import/fields.js';

/** reads `body` placed inside a longer line (bytes before and after it, and a base offset) */
function read(r: IlockBody, body: string): { key: string; flags: string; caller: string } | undefined {
  const text = `xx: ${body}\nnext line`;
  const pad = 3;
  const bytes = Buffer.concat([Buffer.alloc(pad, 0x41), Buffer.from(text, 'latin1')]);
  const from = 4 + pad;
  if (!r.read(bytes, from, from + body.length, text, pad)) return undefined;
  return { key: r.key, flags: r.flags, caller: r.caller };
}

/** what the text readers give */
function asText(body: string) {
  return { key: inodeKey(body, 16), flags: wordAfter(body, 'flags '), caller: wordAfter(body, 'caller ') };
}

describe('xfs_ilock body from bytes', () => {
  it('the kernel layout: dev, inode, flags and caller', () => {
    const r = new IlockBody();
    expect(read(r, 'dev 7:0 ino 0x83 flags IOLOCK_SHARED caller xfs_file_dio_read')).toEqual({ key: '7:0:131', flags: 'IOLOCK_SHARED', caller: 'xfs_file_dio_read' });
    expect(read(r, 'dev 253:16 ino 0xABCdef flags ILOCK_EXCL caller xfs_read_iomap_begin+0x9e/0x340')).toEqual({ key: '253:16:11259375', flags: 'ILOCK_EXCL', caller: 'xfs_read_iomap_begin+0x9e/0x340' });
  });

  it('flags with "|", an inode in hex without 0x, a body that ends after the flags', () => {
    const r = new IlockBody();
    expect(read(r, 'dev 7:0 ino 0x85 flags IOLOCK_EXCL|MMAPLOCK_EXCL caller __xfs_file_fallocate.constprop.0+0x72/0x470')).toMatchObject({ flags: 'IOLOCK_EXCL|MMAPLOCK_EXCL' });
    expect(read(r, 'dev 7:0 ino 85 flags ILOCK_SHARED caller f')).toMatchObject({ key: '7:0:133' });
    expect(read(r, 'dev 7:0 ino 0X85 flags ILOCK_SHARED caller f')).toMatchObject({ key: '7:0:133' });
    expect(read(r, 'dev 7:0 ino 0x85 flags ILOCK_SHARED')).toEqual({ key: '7:0:133', flags: 'ILOCK_SHARED', caller: '' });
    // (what follows the caller word is not read)
    expect(read(r, 'dev 7:0 ino 0x85 flags ILOCK_SHARED caller f extra')).toMatchObject({ caller: 'f' });
  });

  it('repeated values come back equal, and a value with the same hash as another is told apart', () => {
    const r = new IlockBody();
    const a = read(r, 'dev 7:0 ino 0x1 flags Aa caller x');
    const b = read(r, 'dev 7:0 ino 0x1 flags BB caller x');
    // "Aa" and "BB" have one hash (31 * 65 + 97 = 31 * 66 + 66)
    expect([a?.flags, b?.flags]).toEqual(['Aa', 'BB']);
    expect(read(r, 'dev 7:0 ino 0x1 flags Aa caller x')?.flags).toBe('Aa');
    expect(read(r, 'dev 7:0 ino 0x1 flags BB caller x')?.flags).toBe('BB');
    expect(read(r, 'dev 8:1 ino 0x1 flags Aa caller x')?.key).toBe('8:1:1');
    expect(read(r, 'dev 7:0 ino 0x1 flags Aa caller x')?.key).toBe('7:0:1');
  });

  it('no answer for any other layout (the text readers take those)', () => {
    const r = new IlockBody();
    for (const body of [
      '', 'dev', 'dev ', 'dev 7', 'dev 7:', 'dev 7:0', 'dev 7:0 ', 'dev 7:0 ino', 'dev 7:0 ino ', 'dev 7:0 ino 0x', 'dev 7:0 ino 0x83',
      'dev 7:0 ino 0x83 ', 'dev 7:0 ino 0x83 flags', 'dev 7,0 ino 0x83 flags X caller y', 'dev=7:0 ino 0x83 flags X caller y',
      'dev 7:0 ino=0x83 flags X caller y', 'dev 7:0 ino -0x83 flags X caller y', 'dev 7:0 ino  0x83 flags X caller y',
      'dev 7:0 ino 0x83g flags X caller y', 'dev 7:0 ino 0x83 flags X ', 'dev 7:0 ino 0x83 flags X calle y', 'dev 7:0 ino 0x83 flags X foo caller y',
      'dev 7:0 ino 0x83 flags Xcaller caller y', 'dev :0 ino 0x83 flags X caller y', 'dev 7: ino 0x83 flags X caller y', ' dev 7:0 ino 0x83 flags X caller y',
      // device numbers no kernel makes (past 2^53 the text reader's rounding is its own), an inode past 2^53
      'dev 180143985094899031:0 ino 0x83 flags X caller y', 'dev 7:1048576 ino 0x83 flags X caller y', 'dev 7:0 ino 0x20000000000001 flags X caller y',
    ]) {
      expect(read(r, body), body).toBeUndefined();
    }
  });

  it('wherever it answers, it answers what the text readers do', () => {
    const r = new IlockBody();
    const parts = {
      dev: ['dev 7:0 ', 'dev 253:16 ', 'dev 0:0 ', 'dev 99999999999999999999:1 ', 'dev 7,0 ', 'dev 7:0', 'dev x:0 '],
      ino: ['ino 0x83 ', 'ino 83 ', 'ino 0xffffffffffffffff ', 'ino 0x ', 'ino 0x1g ', 'ino abc ', 'ino 0 ', 'ino -1 '],
      flags: ['flags ILOCK_SHARED', 'flags IOLOCK_EXCL|MMAPLOCK_EXCL', 'flags ', 'flags xcaller', 'flags caller', 'flag X', ''],
      caller: [' caller xfs_f+0x1/0x2', ' caller ', '', ' caller a b', ' callerx', '  caller y', ' '],
    };
    let answered = 0;
    for (const d of parts.dev) for (const i of parts.ino) for (const f of parts.flags) for (const c of parts.caller) {
      const body = d + i + f + c;
      const got = read(r, body);
      if (got === undefined) continue;
      answered++;
      expect(got, body).toEqual(asText(body));
    }
    expect(answered).toBeGreaterThan(20);
  });
});
