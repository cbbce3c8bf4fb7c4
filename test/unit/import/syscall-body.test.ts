/** Syscall arguments and exit values read from bytes: what the text readers give, or no answer. */
import { describe, expect, it } from 'vitest';
import { SyscallArgs, syscallReturn } from '../../../src/import/syscall-body.js';
import { numAfter } from '../../../src/import/fields.js';
import { parseSyscallReturn } from '../../../src/import/event-fields.js';

/** `body` placed inside a longer line (bytes before and after it): [bytes, from, to] */
function place(body: string): [Buffer, number, number] {
  const bytes = Buffer.from(`AAAsys_x(${body})\nnext`, 'latin1');
  return [bytes, 9, 9 + body.length];
}

const NAMES = ['fd', 'count', 'pos', 'pos_l', 'len', 'mode', 'offset', 'length', 'buf', 'd'];

/** each argument as the byte reader gives it, or undefined when it gives no answer */
function byBytes(r: SyscallArgs, body: string): number[] | undefined {
  if (!r.read(...place(body))) return undefined;
  return NAMES.map((n) => r.arg(n));
}

/** each argument as the text reader gives it (radix 10: a body the byte reader answers has a 0x value) */
function byText(body: string): number[] {
  return NAMES.map((n) => numAfter(body, `${n}: `, 10));
}

describe('syscall enter arguments from bytes', () => {
  it('the kernel layout', () => {
    const r = new SyscallArgs();
    expect(byBytes(r, 'fd: 7, buf: 0x56291fb01610, count: 0x1000, pos: 0x3dc000')?.slice(0, 3)).toEqual([7, 0x1000, 0x3dc000]);
    expect(byBytes(r, 'fd: 0x3, offset: 0x0, len: 0x1000, mode: 0x3')?.slice(4, 8)).toEqual([0x1000, 3, 0, NaN]);
    // a name that ends with the one asked for is where the text search finds it first
    expect(r.read(...place('dfd: 0x5, fd: 3'))).toBe(true);
    expect(r.arg('fd')).toBe(5);
  });

  it('no answer for any other layout (the text reader takes those)', () => {
    const r = new SyscallArgs();
    for (const body of [
      '', 'fd', 'fd:', 'fd: ', 'fd: 7', 'fd: 7, count: 10', 'fd:7, buf: 0x1', 'fd: 7,buf: 0x1', 'fd: 7,  buf: 0x1', ' fd: 0x7', 'fd: 0x7 ',
      'fd: 0x7,', 'fd: 0x7, ', 'fd: 0x', 'fd: 0X7', 'fd: 0x7g', 'fd: 7a, buf: 0x1', 'Fd: 0x7', 'fd : 0x7', 'fd: --0x7', 'fd: +7, b: 0x1',
      'a: 0x1, b: 0x1, c: 0x1, d: 0x1, e: 0x1, f: 0x1, g: 0x1, h: 0x1, i: 0x1', 'fd:\t0x7', 'f-d: 0x7', 'fd: 0x7)',
    ]) {
      expect(byBytes(r, body), body).toBeUndefined();
    }
  });

  it('wherever it answers, it answers what the text reader does', () => {
    const r = new SyscallArgs();
    const names = ['fd', 'dfd', 'count', 'pos', 'xpos', 'pos_l', 'len', 'd', 'buf', 'fd2', 'Fd', 'f d'];
    const values = ['7', '0x1000', '0', '-1', '-0x10', '0xffffffffffffffff', '0xABCdef', '123456789012345678901', '0x', '7a', '0x1g', ''];
    let answered = 0;
    for (const a of names) for (const va of values) for (const b of names) for (const vb of values) {
      for (const sep of [', ', ',', ' , ']) {
        const body = `${a}: ${va}${sep}${b}: ${vb}`;
        const got = byBytes(r, body);
        if (got === undefined) continue;
        answered++;
        expect(body.includes('0x'), body).toBe(true);
        expect(got, body).toEqual(byText(body));
      }
    }
    expect(answered).toBeGreaterThan(200);
  });
});

describe('syscall exit value from bytes', () => {
  it('answers what parseSyscallReturn does, or nothing', () => {
    let answered = 0;
    for (const body of [
      '0x1000', '4096', '-2', '0', '0x0', '-0', '0xfffffffffffffff2', '0x7fffffffffffffff', '0xfffffffffffffff', '0x', '', ' 0x10', '0x10 ',
      '0X10', '0x10g', '12a', '-', '--2', '-0x2', '99999999999999999999', '0xABCDEF', '4096\r', '\t7',
    ]) {
      const [bytes, from, to] = place(body);
      const got = syscallReturn(bytes, from, to);
      if (got === undefined) continue;
      answered++;
      expect(got, body).toBe(parseSyscallReturn(body));
    }
    expect(answered).toBe(9);
  });
});
