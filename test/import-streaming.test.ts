import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repeatTrace } from '../src/import/repeat-trace.js';
import { ROOT, trace } from './helpers.js';

/** Pipes a generated trace into a fresh importer process and returns its peak RSS. */
function importFromStdin(text: string, copies: number): Promise<{ lines: number; ops: number; maxRssKb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', 'child-import.js'), '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
    const gen = repeatTrace(text, copies);
    const pump = (): void => {
      for (;;) {
        const r = gen.next();
        if (r.done) {
          child.stdin.end();
          return;
        }
        if (!child.stdin.write(r.value)) {
          child.stdin.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

describe('streaming import', () => {
  it('a 10x longer input costs less than 1.3x the peak RSS', async () => {
    // base: xfs-mix repeated 10 times (500k lines, 65 MB): V8's heap reaches its working size after
    // about 60 MB of input (with a 4-copy base the ratio measured that growth, 1.25, not a leak)
    const text = gunzipSync(readFileSync(trace('xfs-mix.trace.gz'))).toString('latin1');
    const one = await importFromStdin(text, 10);
    const ten = await importFromStdin(text, 100);
    expect(ten.lines).toBeGreaterThan(one.lines * 9.9);
    expect(ten.ops).toBeGreaterThan(one.ops * 9.9);
    expect(ten.maxRssKb / one.maxRssKb).toBeLessThan(1.3);
  }, 180_000);
});
