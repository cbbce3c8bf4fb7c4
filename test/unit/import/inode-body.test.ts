/** The inode key read from bytes: what the text reader (inodeKey) gives, or no answer. */
import { describe, expect, it } from 'vitest';
import { InodeBody } from '../../../src/import/inode-body.js';
import { inodeKey } from '../../../src/import/event-fields.js';

/** reads `body` placed inside a longer line (bytes before and after it) */
function read(r: InodeBody, body: string, radix: 10 | 16): string | undefined {
  const bytes = Buffer.from(`AAAxx: ${body}\nnext 0x1`, 'latin1');
  return r.key(bytes, 7, 7 + body.length, radix);
}

describe('inode key from bytes', () => {
  it('the kernel layouts', () => {
    const r = new InodeBody();
    expect(read(r, 'dev 7:0 ino 0x86 disize 0x4000000 pos 0x647000 bytecount 0x1000', 16)).toBe('7:0:134');
    expect(read(r, 'dev 254,0 ino 2149052 pos 155447296 len 4096', 10)).toBe('254:0:2149052');
    expect(read(r, 'dev=254:0 ino=21200e ofs=0-4095', 16)).toBe('254:0:2170894');
    // the same key object comes back for the same inode
    expect(read(r, 'dev 7:0 ino 0x86 order 0', 16)).toBe('7:0:134');
  });

  it('the text reader\'s cache of the last key does not answer for "0x1" after "0"', () => {
    expect(inodeKey('dev 7:0 ino 0', 16)).toBe('7:0:0');
    expect(inodeKey('dev 7:0 ino 0x1 order 0', 16)).toBe('7:0:1');
  });

  it('no answer for an inode number beyond 2^53 (no exact double): the text reader keeps its digits', () => {
    const r = new InodeBody();
    expect(read(r, 'dev 7:0 ino 0x20000000000001 disize 0x0', 16)).toBeUndefined();
    expect(read(r, 'dev 254,0 ino 9007199254740993 pos 0', 10)).toBeUndefined();
    expect(inodeKey('dev 7:0 ino 0x20000000000001 disize 0x0', 16)).toBe('7:0:9007199254740993');
    // 2^53 - 1 is still exact, and read from the bytes
    expect(read(r, 'dev 7:0 ino 0x1fffffffffffff disize 0x0', 16)).toBe('7:0:9007199254740991');
  });

  it('no answer for any other start (the text reader takes those)', () => {
    const r = new InodeBody();
    for (const body of [
      '', 'dev', 'dev ', 'dev 7', 'dev 7:', 'dev 7:0', 'dev 7:0 ', 'dev 7:0 ino', 'dev 7:0 ino ', 'dev 7:0 ino 0x', 'dev 7:0 ino -5',
      'dev 7:0 inode 5', 'dev 7:0  ino 5', 'dev 7:0:ino 5', 'dev 7;0 ino 5', ' dev 7:0 ino 5', 'bdi 7:0: ino=5', 'dev x:0 ino 5', 'dev 7:x ino 5',
      'dev 7:0 ino zz', 'Dev 7:0 ino 5', 'dev 7:0 INO 5', 'cgroup_ino 5 dev 7:0 ino 5',
      // device numbers no kernel makes (past 2^53 the text reader's rounding is its own)
      'dev 180143985094899031:0 ino 5', 'dev 7:1048576 ino 5',
    ]) {
      expect(read(r, body, 16), body).toBeUndefined();
    }
  });

  it('wherever it answers, it answers what the text reader does', () => {
    const r = new InodeBody();
    const devs = ['dev 7:0', 'dev 254,0', 'dev=254:0', 'dev (8,16)', 'dev  = 1:2', 'dev 99999999999999999999:1', 'dev 0:0', 'dev 7:', 'dev :0', 'dev 7.0', 'dev'];
    const inos = [' ino 0x86', ' ino 86', ' ino=21200e', ' ino =  0X1F', ' ino 0xffffffffffffffffff', ' ino 0', ' ino 0x', ' ino abc', ' ino 12ab', ' ino -3', ' inode 5', '  ino 5', ' ino', ''];
    const tails = ['', ' ', ' pos 0x10', 'g', 'x1', ' ino 0x99', '0x5', ')'];
    let answered = 0;
    for (const d of devs) for (const i of inos) for (const t of tails) for (const radix of [10, 16] as const) {
      const body = d + i + t;
      const got = read(r, body, radix);
      if (got === undefined) continue;
      answered++;
      expect(got, `${body} (radix ${radix})`).toBe(inodeKey(body, radix));
    }
    expect(answered).toBeGreaterThan(100);
  });
});
