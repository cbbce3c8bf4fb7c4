/**
 * CSV flags (fuzz campaign 19, D3 and the CSV flag observations): a --delimiter csv-parse cannot
 * use is a usage error, not an internal error or a bad input line; a flag a preset would ignore is
 * refused, naming both; duplicate --columns names and op values both read and write are refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputOptionsFrom } from '../src/cli/input-flags.js';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-csvflags-'));
const csv = join(tmp, 'd.csv');
writeFileSync(csv, '1,R,0,8\n2,W,8,8\n');
const COLS = ['--columns', 'ts=0,op=1,offset=2,length=3'];

/** the usage error inputOptionsFrom gives for these flags (as oclif hands them over) */
function usage(flags: Record<string, string | boolean>): string {
  try {
    inputOptionsFrom({ format: 'auto', ...flags });
  } catch (e) {
    expect((e as { exitCode?: number }).exitCode).toBe(2);
    return (e as Error).message;
  }
  return 'no error';
}

describe('--delimiter', () => {
  it('empty, a quote, a line break or more than one character: exit 2 naming the flag (empty was an internal error, exit 1)', () => {
    for (const [d, why] of [['', 'is empty'], ['"', 'is the quote character'], ['\n', 'is a line break'], ['\r', 'is a line break'], [';;', 'more than one character']]) {
      expect(usage({ columns: 'ts=0,op=1,offset=2,length=3', delimiter: d })).toContain(why);
    }
    const r = cli(['import', csv, ...COLS, '--delimiter', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--delimiter "": is empty/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(cli(['replay', csv, ...COLS, '--delimiter', '"', '--strategy', 'none']).code).toBe(2);
  });

  it('one character, and "\\t" for a tab, are read', () => {
    expect(inputOptionsFrom({ format: 'auto', columns: 'ts=0,op=1,offset=2,length=3', delimiter: '\\t' }).csvMapping?.delimiter).toBe('\t');
    expect(inputOptionsFrom({ format: 'auto', columns: 'ts=0,op=1,offset=2,length=3', delimiter: ';' }).csvMapping?.delimiter).toBe(';');
    const p = join(tmp, 'semi.csv');
    writeFileSync(p, '1;R;0;8\n');
    expect(cli(['import', p, ...COLS, '--delimiter', ';']).code).toBe(0);
  });
});

describe('flags a preset would ignore', () => {
  it('--preset with --delimiter, --ts-unit, --header, --columns ...: exit 2 naming both (they were silently ignored)', () => {
    for (const [flag, value] of [['delimiter', ';'], ['ts-unit', 'ns'], ['header', true], ['offset-unit', 'sectors'], ['length-unit', 'bytes'], ['read-values', 'R'], ['write-values', 'W']] as const) {
      expect(usage({ preset: 'msr', [flag]: value })).toMatch(new RegExp(`^--${flag} cannot go with --preset msr`));
    }
    expect(usage({ preset: 'msr', columns: 'ts=0,op=1,offset=2,length=3' })).toMatch(/^--columns cannot go with --preset msr/);
    const r = cli(['import', csv, '--preset', 'alibaba', '--ts-unit', 'ns']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--ts-unit cannot go with --preset alibaba/);
  });

  it('a CSV flag without --columns (a detected preset would ignore it): exit 2', () => {
    expect(usage({ 'ts-unit': 'ns' })).toMatch(/^--ts-unit goes with --columns/);
    expect(usage({ delimiter: ';' })).toMatch(/^--delimiter goes with --columns/);
    expect(usage({ preset: 'msr' })).toBe('no error');
  });
});

describe('--columns, --read-values, --write-values', () => {
  it('a name given twice, or two names on one column: exit 2 (the last one won)', () => {
    expect(usage({ columns: 'ts=0,ts=1,op=2,offset=3,length=4' })).toMatch(/ts= is given twice/);
    expect(usage({ columns: 'ts=0,op=0,offset=3,length=4' })).toMatch(/ts= and op= are both column 0/);
    expect(cli(['import', csv, '--columns', 'ts=0,ts=1,op=1,offset=2,length=3']).code).toBe(2);
  });

  it('a value both read and write (ignoring case), or no value: exit 2', () => {
    expect(usage({ columns: 'ts=0,op=1,offset=2,length=3', 'read-values': 'Read', 'write-values': 'read' })).toMatch(/"read" is in --read-values too/);
    expect(usage({ columns: 'ts=0,op=1,offset=2,length=3', 'write-values': 'W,R' })).toMatch(/"R" is in --read-values too \(its default, R,Read,r,read\)/);
    expect(usage({ columns: 'ts=0,op=1,offset=2,length=3', 'read-values': '' })).toMatch(/--read-values "": names no value/);
    expect(usage({ columns: 'ts=0,op=1,offset=2,length=3', 'write-values': ' , ' })).toMatch(/--write-values " , ": names no value/);
    expect(inputOptionsFrom({ format: 'auto', columns: 'ts=0,op=1,offset=2,length=3', 'read-values': 'R', 'write-values': 'W' }).csvMapping).toMatchObject({ readValues: ['R'], writeValues: ['W'], tsUnit: 'us', offsetUnit: 'bytes', lengthUnit: 'bytes', delimiter: ',', header: false });
  });
});
