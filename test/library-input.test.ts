/** The library's entry points refuse input its types forbid with a LockreplayError (exit 2), as the CLI's flags are refused. */
import { describe, expect, it } from 'vitest';
import { compare, importTrace, renderReport, replay } from '../src/index.js';
import { ExitCode, LockreplayError } from '../src/errors.js';
import { trace } from './helpers.js';

const T = trace('xfs-mix.trace.gz');

async function refusal(f: () => unknown): Promise<{ code: number | undefined; message: string }> {
  try {
    await f();
  } catch (err) {
    return { code: err instanceof LockreplayError ? err.exitCode : undefined, message: (err as Error).message };
  }
  return { code: undefined, message: 'no error' };
}

describe('library input that the types forbid', () => {
  it('a mode other than closed or open (it made a result its own loader refused), an unknown import format, selections not given as Sets, no trace, an unknown report format', async () => {
    const any = (x: unknown): never => x as never;
    expect(await refusal(() => replay(T, 'none', { mode: any('bogus') }))).toEqual({ code: ExitCode.usage, message: 'mode "bogus": expected closed or open' });
    expect(await refusal(() => importTrace(T, { format: any('zzz') }))).toEqual({ code: ExitCode.usage, message: 'format "zzz": expected one of auto, ftrace, trace-cmd, blkparse, csv, fio-iolog, ops' });
    expect(await refusal(() => importTrace(T, { files: any(['7:0:133']) }))).toEqual({ code: ExitCode.usage, message: 'option files: expected a Set, not an array' });
    expect(await refusal(() => compare(any(undefined), ['none']))).toEqual({ code: ExitCode.usage, message: 'trace: expected a path or a trace from importTrace, not undefined' });
    const r = await replay(T, 'none');
    expect(await refusal(() => renderReport([r], any('zzz')))).toEqual({ code: ExitCode.usage, message: 'report format "zzz": expected one of table, md, html, csv, json' });
    // what the types allow still works
    expect(renderReport([r], 'md')).toMatch(/^### lockreplay:/);
    expect((await importTrace(T, { files: new Set(['7:0:133']) })).summary.ops.total).toBeGreaterThan(0);
  }, 60_000);
});
