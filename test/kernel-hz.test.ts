import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { kernelHeader, readKernelHz } from '../src/record/identity.js';
import { loadTrace } from '../src/import/index.js';
import { createStrategy, withKernelHz } from '../src/strategies/index.js';
import { compare } from '../src/index.js';
import { cli, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-hz-'));

/** the demo capture with a kernel line in its header, as lockreplay record writes it */
function withHeader(line: string): string {
  const text = gunzipSync(readFileSync(trace('xfs-mix.trace.gz'))).toString('latin1').split('\n');
  text.splice(1, 0, line);
  const path = join(tmp, `hz-${Math.random().toString(36).slice(2)}.trace`);
  writeFileSync(path, text.join('\n'), 'latin1');
  return path;
}

describe('the capture\'s CONFIG_HZ', () => {
  it('record reads it from the kernel\'s config (gzip or plain) and writes it with the release', () => {
    const gz = join(tmp, 'config.gz');
    writeFileSync(gz, gzipSync('CONFIG_HZ_1000=y\nCONFIG_HZ=1000\n'));
    const plain = join(tmp, 'config');
    writeFileSync(plain, '# CONFIG_HZ_PERIODIC is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n');
    expect(readKernelHz('x', [join(tmp, 'missing.gz'), gz])).toBe(1000);
    expect(readKernelHz('x', [plain])).toBe(250);
    expect(readKernelHz('x', [join(tmp, 'missing')])).toBeUndefined();
    expect(kernelHeader('6.1.0-28-amd64', 250)).toBe('# lockreplay kernel: 6.1.0-28-amd64 HZ=250\n');
    expect(kernelHeader('6.1.0 odd', undefined)).toBe('# lockreplay kernel: 6.1.0_odd\n');
  });

  it('the import reads it from the header (every line accounted); a value that is no HZ is left out', async () => {
    const { summary } = await loadTrace(withHeader('# lockreplay kernel: 6.12.0 HZ=1000'));
    expect(summary.kernelHz).toBe(1000);
    expect(summary.lines.skipped['kernel-comment']).toBe(1);
    const odd = await loadTrace(withHeader('# lockreplay kernel: 6.12.0 HZ=5'));
    expect(odd.summary.kernelHz).toBeUndefined();
    expect(odd.summary.lines.skipped['kernel-comment']).toBe(1);
    expect((await loadTrace(trace('xfs-mix.trace.gz'))).summary.kernelHz).toBeUndefined();
  });

  it('a Linux rwsem strategy named without hz takes it; one that names hz, and every other, keeps its own', () => {
    expect(withKernelHz('linux:xfs', 1000)).toBe('linux:xfs:hz=1000');
    expect(withKernelHz('linux:ext4:rwsem=fifo', 1000)).toBe('linux:ext4:rwsem=fifo,hz=1000');
    expect(withKernelHz('i-rwsem', 300)).toBe('i-rwsem:hz=300');
    expect(withKernelHz('linux:xfs:hz=250', 1000)).toBe('linux:xfs:hz=250');
    expect(withKernelHz('range-lock', 1000)).toBe('range-lock');
    expect(withKernelHz('./mine.json', 1000)).toBe('./mine.json');
    expect(withKernelHz('linux:xfs', undefined)).toBe('linux:xfs');
    expect(createStrategy(withKernelHz('linux:generic', 1000)).options).toEqual({ rwsem: 'linux', hz: 1000 });
  });

  it('replay, compare and an op stream made from the capture model its HZ; an explicit hz wins', () => {
    const path = withHeader('# lockreplay kernel: 6.12.0 HZ=1000');
    const options = (args: string[]): Record<string, unknown>[] => (JSON.parse(cli(args).stdout) as { results: { strategyOptions: Record<string, unknown> }[] }).results.map((r) => r.strategyOptions);
    expect(options(['replay', path, '--strategy', 'linux:xfs', '--json'])).toEqual([{ rwsem: 'linux', hz: 1000 }]);
    expect(options(['replay', path, '--strategy', 'linux:xfs:hz=250', '--json'])).toEqual([{ rwsem: 'linux', hz: 250 }]);
    expect(options(['compare', path, '--strategy', 'range-lock,i-rwsem', '--threads', '1', '--json'])).toEqual([{ fairness: 'fifo', prefault: false, buffered: 'syscall' }, { rwsem: 'linux', hz: 1000 }]);
    const ops = join(tmp, 'hz.ops.csv');
    expect(cli(['import', path, '--out', ops]).code).toBe(0);
    expect(options(['replay', ops, '--strategy', 'linux:xfs', '--json'])).toEqual([{ rwsem: 'linux', hz: 1000 }]);
    expect(cli(['compare', path, '--strategy', 'linux:xfs', '--threads', '1']).stdout).toMatch(/linux:xfs:hz=1000/);
    // (seven CLI runs on a capture: 23 s alone on a busy 2-core machine, past a third of 60 s)
  }, 90_000);

  it('the library\'s compare does the same for strategies named by a spec', async () => {
    const r = await compare(withHeader('# lockreplay kernel: 6.12.0 HZ=1000'), ['linux:xfs', 'linux:ext4:hz=300', createStrategy('i-rwsem')]);
    expect(r.results.map((x) => x.strategyOptions.hz)).toEqual([1000, 300, 250]);
  }, 60_000);
});
