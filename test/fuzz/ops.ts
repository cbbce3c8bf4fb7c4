/**
 * Arbitrary op streams for the engine: what an import can produce (ids in order, time order, a
 * child after its top-level parent in the same task, ranges within 2^53 bytes), from a few tasks on a
 * few files, with sizes from one byte to the edge, and the replay options around them.
 */
import fc from 'fast-check';
import type { ImportSummary } from '../../src/import/index.js';
import { OP_KINDS, type Op, type OpKind } from '../../src/model/op.js';
import type { LoadedTrace, ReplayOptions } from '../../src/replay/index.js';

const PAGE = 4096;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const CHILD_KINDS: OpKind[] = ['fault-read', 'fault-write', 'writeback'];

interface OpSpec {
  task: number;
  kind: OpKind;
  file: number;
  offset: number;
  lengthBytes: number;
  gapNs: number;
  durNs: number | undefined;
  /** a child (a fault inside a syscall) of its task's last top-level op, when there is one */
  child: boolean;
}

const bytes = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 64 }).map((p) => p * PAGE) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1 << 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, PAGE - 1, 2 ** 32, 2 ** 40, 2 ** 52, MAX_SAFE - PAGE, MAX_SAFE) },
);

const opSpec: fc.Arbitrary<OpSpec> = fc.record({
  task: fc.nat(3),
  kind: fc.constantFrom(...OP_KINDS),
  file: fc.nat(2),
  offset: bytes,
  lengthBytes: bytes,
  gapNs: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 50_000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 10 ** 9, 10 ** 12) }),
  durNs: fc.option(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 100_000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 10 ** 9, 10 ** 12) })),
  child: fc.boolean(),
}).map((o) => ({ ...o, durNs: o.durNs ?? undefined }));

/** Builds the ops: ranges clipped to 2^53, children of the task's last top-level op. */
export function buildOps(specs: OpSpec[]): Op[] {
  const ops: Op[] = [];
  const lastTop = new Map<number, number>();
  let ts = 1_000_000;
  for (const s of specs) {
    ts += s.gapNs;
    const pid = 100 + s.task;
    const parent = s.child ? lastTop.get(pid) : undefined;
    const offset = Math.min(s.offset, MAX_SAFE);
    const op: Op = {
      id: ops.length, tsNs: ts, pid, proc: `tgid:${pid < 102 ? 100 : pid}`, comm: `task${s.task}`, file: `7:0:${131 + s.file}`,
      kind: parent !== undefined ? CHILD_KINDS[s.file % CHILD_KINDS.length] : s.kind, offset, lengthBytes: Math.min(s.lengthBytes, MAX_SAFE - offset), line: ops.length + 1,
    };
    if (s.durNs !== undefined) op.durNs = s.durNs;
    if (parent !== undefined) op.parent = parent;
    else lastTop.set(pid, op.id);
    ops.push(op);
  }
  return ops;
}

export const opSpecs = fc.array(opSpec, { minLength: 1, maxLength: 40 });

export const replayOptions: fc.Arbitrary<ReplayOptions> = fc.record({
  mode: fc.constantFrom('closed' as const, 'open' as const),
  timeScale: fc.constantFrom(1e-6, 0.05, 1, 1000),
  cpus: fc.integer({ min: 1, max: 8 }),
  spin: fc.boolean(),
  mmapLock: fc.boolean(),
  costs: fc.oneof(
    fc.constant({ atomicNs: 20, cacheMissNs: 100, wakeupNs: 2000, spinBaseNs: 50, perNodeNs: 30 }),
    fc.constant({ atomicNs: 0, cacheMissNs: 0, wakeupNs: 0, spinBaseNs: 0, perNodeNs: 0 }),
    fc.record({ atomicNs: fc.nat(10_000), cacheMissNs: fc.nat(10_000), wakeupNs: fc.nat(1_000_000), spinBaseNs: fc.nat(10_000), perNodeNs: fc.nat(10_000) }),
  ),
});

/** A loaded trace as an import would hand it to replay. */
export function loadedTrace(ops: Op[]): LoadedTrace {
  const summary = {
    schema: 'lockreplay-import/1', input: 'fuzz', format: 'ops', lostEvents: 0, bytes: 0,
    lines: { total: ops.length, used: ops.length, skipped: {}, bad: 0, badSamples: [] },
    ops: { total: ops.length, byKind: {}, byFile: {} }, observedLocks: 0, notes: [], cpus: 2,
  } satisfies ImportSummary;
  return { ops, summary };
}
