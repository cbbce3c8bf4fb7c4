/** Imports text written to a temporary file, in-process. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImportOptions, importTrace, loadTrace } from '../../../src/import/index.js';
import type { ObservedLock, Op } from '../../../src/model/op.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-import-unit-'));
let n = 0;

export function tmpFile(text: string | Buffer, ext = 'txt'): string {
  const p = join(dir, `in-${n++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

export async function load(text: string | Buffer, options: ImportOptions = {}, ext = 'txt') {
  const path = tmpFile(text, ext);
  const r = await loadTrace(path, options);
  return { ...r, path };
}

export async function imported(text: string | Buffer, options: ImportOptions = {}, ext = 'txt') {
  const path = tmpFile(text, ext);
  const ops: Op[] = [];
  const locks: ObservedLock[] = [];
  const summary = await importTrace(path, { op: (o) => ops.push(o), lock: (l) => locks.push(l) }, options);
  return { ops, locks, summary, path };
}

/** the error an import stops with: its message and exit code */
export async function failure(text: string | Buffer, options: ImportOptions = {}, ext = 'txt'): Promise<{ message: string; code: number; path: string }> {
  const path = tmpFile(text, ext);
  try {
    await importTrace(path, { op: () => {}, lock: () => {} }, options);
  } catch (e) {
    return { message: (e as Error).message, code: (e as { exitCode: number }).exitCode, path };
  }
  return { message: 'no error', code: 0, path };
}

/** an op without the fields that do not matter to a test */
export function brief(o: Op): string {
  return `${o.id} ${o.kind} ${o.file} ${o.offset}+${o.lengthBytes} pid ${o.pid} ${o.comm} proc ${o.proc} ts ${o.tsNs}${o.durNs !== undefined ? ` dur ${o.durNs}` : ''}${o.parent !== undefined ? ` parent ${o.parent}` : ''} line ${o.line}`;
}

export const HEADER = '# tracer: nop\n#\n# entries-in-buffer/entries-written: 10/10   #P:2\n#\n';
