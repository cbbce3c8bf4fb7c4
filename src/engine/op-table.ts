/**
 * The ops of a replay as a struct of arrays, built once per trace and shared by every strategy's
 * run: the simulator, the race check and the statistics read typed columns instead of Op objects
 * (whose shapes vary with their optional fields), and nothing here is rebuilt per strategy.
 */
import { Interner } from '../util/interner.js';
import { type Op, OP_KINDS, type OpKind } from '../model/op.js';

export const KIND_CODE: ReadonlyMap<OpKind, number> = new Map(OP_KINDS.map((k, i) => [k, i]));

export interface OpTable {
  n: number;
  tsNs: Float64Array;
  pid: Float64Array;
  offset: Float64Array;
  lengthBytes: Float64Array;
  /** index into OP_KINDS */
  kind: Uint8Array;
  /** index into `files` */
  file: Int32Array;
  files: string[];
  /** index into `procs` (Op.proc) */
  proc: Int32Array;
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

export function opTable(ops: readonly Op[]): OpTable {
  const n = ops.length;
  const tsNs = new Float64Array(n);
  const pid = new Float64Array(n);
  const offset = new Float64Array(n);
  const lengthBytes = new Float64Array(n);
  const kind = new Uint8Array(n);
  const file = new Int32Array(n);
  const files = new Interner();
  const fileSizeBytes = new Map<string, number>();
  const parentIndex = new Int32Array(n).fill(-1);
  const proc = new Int32Array(n);
  const procs = new Interner();

  // op ids are usually their indices; otherwise parents are found through a map
  let idsAreIndices = true;
  for (let i = 0; i < n; i++) {
    if (ops[i].id !== i) {
      idsAreIndices = false;
      break;
    }
  }
  const indexOfId = new Map<number, number>();
  if (!idsAreIndices) for (let i = 0; i < n; i++) indexOfId.set(ops[i].id, i);

  const childCount = new Int32Array(n + 1);
  // ops in a row mostly share their kind, file and process (the same string objects): the last
  // ones are kept to skip the hash lookups
  let lastKind: string | undefined;
  let lastKindCode = 0;
  let lastFile: string | undefined;
  let lastFileIndex = 0;
  let lastProc: string | undefined;
  let lastProcIndex = 0;
  // largest end offset per file index, and the files in the order they first got one above 0
  // (the order the size map was filled in before)
  let sizeOf = new Float64Array(64);
  const sizedOrder: number[] = [];
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    tsNs[i] = op.tsNs;
    pid[i] = op.pid;
    offset[i] = op.offset;
    lengthBytes[i] = op.lengthBytes;
    if (op.kind !== lastKind) {
      lastKind = op.kind;
      lastKindCode = KIND_CODE.get(op.kind) ?? 0;
    }
    const k = lastKindCode;
    kind[i] = k;
    if (op.file !== lastFile) {
      lastFile = op.file;
      lastFileIndex = files.index(op.file);
      if (lastFileIndex >= sizeOf.length) {
        const more = new Float64Array(sizeOf.length * 2);
        more.set(sizeOf);
        sizeOf = more;
      }
    }
    file[i] = lastFileIndex;
    if (op.proc !== lastProc) {
      lastProc = op.proc;
      lastProcIndex = procs.index(op.proc);
    }
    proc[i] = lastProcIndex;
    const end = op.offset + op.lengthBytes;
    if (end > sizeOf[lastFileIndex]) {
      if (sizeOf[lastFileIndex] === 0) sizedOrder.push(lastFileIndex);
      sizeOf[lastFileIndex] = end;
    }
    const p = op.parent;
    if (p !== undefined) {
      const pi = idsAreIndices ? (p >= 0 && p < n ? p : -1) : (indexOfId.get(p) ?? -1);
      if (pi >= 0) {
        parentIndex[i] = pi;
        childCount[pi]++;
      }
    }
  }
  for (const f of sizedOrder) fileSizeBytes.set(files.strings[f], sizeOf[f]);
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i] + childCount[i];
  const childList = new Int32Array(childStart[n]);
  const fill = childStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    const pi = parentIndex[i];
    if (pi >= 0) childList[fill[pi]++] = i;
  }
  // tasks: one per pid of a top-level op, in order of first appearance
  const taskOfPid = new Map<number, number>();
  const taskOfOp = new Int32Array(n).fill(-1);
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
    taskOfOp[i] = t;
    perTask[t]++;
  }
  const taskStart = new Int32Array(perTask.length + 1);
  for (let t = 0; t < perTask.length; t++) taskStart[t + 1] = taskStart[t] + perTask[t];
  const taskOps = new Int32Array(taskStart[perTask.length]);
  const taskFill = taskStart.slice(0, perTask.length);
  for (let i = 0; i < n; i++) if (taskOfOp[i] >= 0) taskOps[taskFill[taskOfOp[i]]++] = i;
  return { taskStart, taskOps, taskPid: Float64Array.from(pids), n, tsNs, pid, offset, lengthBytes, kind, file, files: files.strings, proc, procs: procs.strings, parentIndex, childStart, childList, fileSizeBytes };
}
