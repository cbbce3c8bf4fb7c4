/**
 * Inputs a session-24 hostile-input pass found to be misread, to crash or to lose an output, each
 * as a regression test. The inputs are made here, line by line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz24-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

interface Summary {
  lines: { total: number; used: number; bad: number; badSamples: string[]; skipped: Record<string, number> };
  ops: { total: number; byFile: Record<string, Record<string, number>> };
  notes: string[];
}

function summary(args: string[]): Summary {
  const r = cli([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

describe('session 24 fuzz findings', () => {
  // 73: CSV numbers went through Number(): "0x1000" was 4096, "0b100" 4, "1e3" an offset of 1000
  it('73: a CSV offset or length is decimal digits, a time a decimal number; hex, binary and exponents where they do not belong are bad lines naming the column (was: 0x1000 read as 4096, 0b100 as 4, 1e3 as 1000)', () => {
    const rows = [
      '0,R,0,4096,1577808000000626',
      '0,R,0x1000,4096,1577808000000700',
      '0,W,1e3,0b100,1577808000000800',
      '0,W,4096,+8,0x10',
      '0,W,4096.0,8,1577808000000900',
      '0,W,8192,8,1.577808000001e15',
    ];
    const s = summary(['import', write('alibaba.csv', `${rows.join('\n')}\n`), '--preset', 'alibaba', '--lenient']);
    expect(s.lines).toMatchObject({ total: 6, used: 2, bad: 4 });
    expect(s.lines.badSamples).toEqual([
      expect.stringMatching(/alibaba\.csv:2: row needs numbers in column offset=2: "0x1000" is not decimal digits$/),
      expect.stringMatching(/alibaba\.csv:3: row needs numbers in columns offset=2: "1e3" is not decimal digits; length=3: "0b100" is not decimal digits$/),
      expect.stringMatching(/alibaba\.csv:4: row needs numbers in columns ts=4: "0x10" is not a decimal number; length=3: "\+8" is not decimal digits$/),
      expect.stringMatching(/alibaba\.csv:5: row needs numbers in column offset=2: "4096.0" is not decimal digits$/),
    ]);
    // a time in seconds as Python prints a small float, and a response time in hex
    const g = summary(['import', write('cols.csv', 'ts,op,off,len,resp\n1e-05,R,0,8,0.5\n2,W,8,8,0x10\n'), '--columns', 'ts=0,op=1,offset=2,length=3,response=4', '--header', '--ts-unit', 's', '--lenient']);
    expect(g.lines).toMatchObject({ used: 1, bad: 1 });
    expect(g.lines.badSamples[0]).toMatch(/cols\.csv:3: response column 4: is not a decimal number$/);
    const strict = cli(['import', write('hex.csv', 'ts,op,off,len\n1,R,0x10,8\n'), '--columns', 'ts=0,op=1,offset=2,length=3', '--header']);
    expect(strict.code).toBe(4);
    expect(strict.stderr).toMatch(/hex\.csv:2: row needs numbers in column offset=2: "0x10" is not decimal digits/);
  });
});
