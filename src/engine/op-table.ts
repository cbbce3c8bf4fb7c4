/**
 * The ops of a replay as a struct of arrays, built once per trace and shared by every strategy's
 * run: the simulator, the race check and the statistics read typed columns instead of Op objects
 * (whose shapes vary with their optional fields), and nothing here is rebuilt per strategy.
 */
import { Interner } from '../util/interner.js';
import type { Op } from '../model/op.js';
import { OpColumns } from '../model/op-columns.js';

export { KIND_CODE } from '../model/op.js';

export interface OpTable {
  n: number;
  tsNs: Float64Array;
  pid: Uint32Array | Float64Array;
  offset: Float64Array;
  lengthBytes: Float64Array;
  /** index into OP_KINDS */
  kind: Uint8Array;
  /** index into `files` */
  file: Int32Array;
  files: string[];
  /** index into `procs` (Op.proc) */
  proc: Uint16Array | Int32Array;
  procs: string[];
  /** the op index of the enclosing op, -1 for a top-level op */
  parentIndex: Int32Array;
  /** children of op i: childList[childStart[i] .. childStart[i + 1]), in op order */
  childStart: Int32Array;
  childList: Int32Array;
  /** top-level ops by task (pid, in order of first appearance): taskOps[taskStart[t] .. taskStart[t + 1]) */
  taskStart: Int32Array;
  taskOps: Int32Array;
  /** the pid of each task */
  taskPid: Float64Array;
  /** the largest end offset any op reaches, per file (a size estimate for strategies) */
  fileSizeBytes: Map<string, number>;
}

/** The columns of `ops` (made once when given Op objects). */
export function columnsOf(ops: readonly Op[] | OpColumns): OpColumns {
  return ops instanceof OpColumns ? ops : OpColumns.fromOps(ops);
}

export function opTable(source: readonly Op[] | OpColumns): OpTable {
  const cols = columnsOf(source);
  const n = cols.n;
  // the op columns are shared, not copied
  const tsNs = cols.tsNs.subarray(0, n);
  const pid = cols.pid.subarray(0, n);
  const offset = cols.offset.subarray(0, n);
  const lengthBytes = cols.lengthBytes.subarray(0, n);
  const kind = cols.kind.subarray(0, n);
  const proc = cols.proc.subarray(0, n);
  // file keys renamed after the import can make two column files one
  const files = new Interner();
  const fileRemap = new Int32Array(cols.files.length);
  let identity = true;
  for (let f = 0; f < cols.files.length; f++) {
    fileRemap[f] = files.index(cols.files[f]);
    if (fileRemap[f] !== f) identity = false;
  }
  let file = cols.file.subarray(0, n);
  if (!identity) {
    const remapped = new Int32Array(n);
    for (let i = 0; i < n; i++) remapped[i] = fileRemap[file[i]];
    file = remapped;
  }
  const fileSizeBytes = new Map<string, number>();

  // op ids are usually their indices; otherwise parents are found through a map
  const ids = cols.ids;
  let idsAreIndices = true;
  if (ids !== undefined) {
    for (let i = 0; i < n; i++) {
      if (ids[i] !== i) {
        idsAreIndices = false;
        break;
      }
    }
  }
  const indexOfId = new Map<number, number>();
  if (!idsAreIndices) for (let i = 0; i < n; i++) indexOfId.set(cols.idOf(i), i);
  // where op ids are row numbers and every parent id names a row, the parent column (32-bit, -1 for
  // none) is the parent indices as they are: shared, not copied
  let parentIndex: Int32Array | undefined;
  if (idsAreIndices && cols.parent instanceof Int32Array) {
    const shared = cols.parent.subarray(0, n);
    let rowsOnly = true;
    for (let i = 0; i < n; i++) {
      if (shared[i] >= n) {
        rowsOnly = false;
        break;
      }
    }
    if (rowsOnly) parentIndex = shared;
  }
  const sharedParents = parentIndex !== undefined;
  if (parentIndex === undefined) parentIndex = new Int32Array(n).fill(-1);

  // children counted into childStart[parent + 1], then summed in place (no per-op temporaries: a
  // temporary array of a million ops stays resident until a full collection)
  const childStart = new Int32Array(n + 1);
  // largest end offset per file index, and the files in the order they first got one above 0
  // (the order the size map was filled in before)
  const sizeOf = new Float64Array(files.strings.length);
  const sizedOrder: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = file[i];
    const end = offset[i] + lengthBytes[i];
    if (end > sizeOf[f]) {
      if (sizeOf[f] === 0) sizedOrder.push(f);
      sizeOf[f] = end;
    }
    if (sharedParents) {
      const pi = parentIndex[i];
      if (pi >= 0) childStart[pi + 1]++;
    } else {
      const p = cols.parentOf(i);
      const pi = p !== p ? -1 : idsAreIndices ? (p >= 0 && p < n ? p : -1) : (indexOfId.get(p) ?? -1);
      if (pi >= 0) {
        parentIndex[i] = pi;
        childStart[pi + 1]++;
      }
    }
  }
  for (const f of sizedOrder) fileSizeBytes.set(files.strings[f], sizeOf[f]);
  for (let i = 0; i < n; i++) childStart[i + 1] += childStart[i];
  const childList = new Int32Array(childStart[n]);
  // each parent's start is its fill cursor; once filled it is the next one's start: shifted back
  for (let i = 0; i < n; i++) {
    const pi = parentIndex[i];
    if (pi >= 0) childList[childStart[pi]++] = i;
  }
  for (let i = n; i > 0; i--) childStart[i] = childStart[i - 1];
  childStart[0] = 0;
  // tasks: one per pid of a top-level op, in order of first appearance
  const taskOfPid = new Map<number, number>();
  const perTask: number[] = [];
  const pids: number[] = [];
  let lastPid = NaN;
  let lastTask = -1;
  for (let i = 0; i < n; i++) {
    if (parentIndex[i] >= 0) continue;
    let t = pid[i] === lastPid ? lastTask : taskOfPid.get(pid[i]);
    if (t === undefined) {
      t = perTask.length;
      taskOfPid.set(pid[i], t);
      perTask.push(0);
      pids.push(pid[i]);
    }
    lastPid = pid[i];
    lastTask = t;
    perTask[t]++;
  }
  const taskStart = new Int32Array(perTask.length + 1);
  for (let t = 0; t < perTask.length; t++) taskStart[t + 1] = taskStart[t] + perTask[t];
  const taskOps = new Int32Array(taskStart[perTask.length]);
  const taskFill = taskStart.slice(0, perTask.length);
  // each top-level op's task found again (every pid has one by now)
  lastPid = NaN;
  lastTask = -1;
  for (let i = 0; i < n; i++) {
    if (parentIndex[i] >= 0) continue;
    const t = pid[i] === lastPid ? lastTask : (taskOfPid.get(pid[i]) as number);
    lastPid = pid[i];
    lastTask = t;
    taskOps[taskFill[t]++] = i;
  }
  return { taskStart, taskOps, taskPid: Float64Array.from(pids), n, tsNs, pid, offset, lengthBytes, kind, file, files: files.strings, proc, procs: cols.procs, parentIndex, childStart, childList, fileSizeBytes };
}
