/**
 * Session 28: command and output defects an earlier round noticed and left alone, each as a
 * regression test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz28-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** the plugin colours its message even when stderr is not a terminal: its own colours taken off */
const uncoloured = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('an unknown command', () => {
  it("shows the words' control characters as ? (was: the raw ESC sequence reached the terminal)", () => {
    const r = cli([`re\x1b[31mplay`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\x1b[31m');
    expect(uncoloured(r.stderr)).toMatch(/re\?\[31mplay is not a lockreplay command/);
    const more = cli(['compar', '\x1b]0;title\x07x', 'y']);
    expect(more.stderr).not.toMatch(/\x1b\]|\x07/);
    expect(uncoloured(more.stderr)).toMatch(/compar \?\]0;title\?x y is not a lockreplay command/);
  });

  it('asked for help shows them as ? too, a usage error (was: "Command re\\x1b[31mplay not found." raw)', () => {
    for (const args of [[`re\x1b[31mplay`, '--help'], ['help', `re\x1b[31mplay`]]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toContain('\x1b[31m');
      expect(uncoloured(r.stderr)).toMatch(/Command re\?\[31mplay not found/);
    }
  });
});
