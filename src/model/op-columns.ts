/**
 * The ops of a trace as a struct of arrays: what the replay keeps in memory instead of one Op
 * object per op (an Op is about 165 bytes of heap; a row here is 53 bytes outside the heap, 61
 * where op ids are not row numbers).
 * Appended to while importing (`push`); Op objects are made on demand (`at`, `toArray`) for the
 * library and for strategies' plans, and are the same as the ones pushed, field for field (a pid,
 * line or parent of -0 comes back as 0; a parent of null or NaN is no parent).
 */
import { KIND_CODE, type Op, OP_KINDS, type OpKind } from './op.js';

/** s's number in `list` (strings in order of first appearance), given a number if new */
function numberOf(numbers: Map<string, number>, list: string[], s: string): number {
  let i = numbers.get(s);
  if (i === undefined) {
    i = list.length;
    list.push(s);
    numbers.set(s, i);
  }
  return i;
}

/** a copy of `a` in a longer array of its type */
function grown<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (size: number) => T)(size);
  b.set(a);
  return b;
}

/** the columns with one value per row (ids apart: they are kept only when not row numbers) */
const ROW_COLUMNS = ['tsNs', 'durNs', 'pid', 'offset', 'lengthBytes', 'parent', 'line', 'kind', 'file', 'proc', 'comm'] as const;

/** The columns as plain data (views of rows 0 .. n - 1): what goes to a replay worker. */
export type PackedOps = Pick<OpColumns, 'n' | 'ids' | (typeof ROW_COLUMNS)[number] | 'files' | 'procs' | 'comms'>;

export class OpColumns {
  /** ops held: rows 0 .. n - 1 of every column (the arrays may be longer) */
  n = 0;
  /** op ids, or undefined while every op's id is its row number (as the import numbers them) */
  ids: Float64Array | undefined;
  tsNs: Float64Array;
  /** NaN: the op has no observed duration (an Op whose durNs is not a number has none either) */
  durNs: Float64Array;
  /** 32-bit while every pid fits (Linux's do), else 64-bit floats */
  pid: Uint32Array | Float64Array;
  offset: Float64Array;
  lengthBytes: Float64Array;
  /**
   * the enclosing op's id: read it with parentOf / hasParent. 32-bit with -1 for none while every
   * parent id is a whole number below 2^31 (the import numbers ops by row), else 64-bit floats with
   * NaN for none
   */
  parent: Int32Array | Float64Array;
  /** 32-bit while every line number fits, else 64-bit floats */
  line: Uint32Array | Float64Array;
  /** index into OP_KINDS */
  kind: Uint8Array;
  /** indices into files, procs, comms (processes and comms in 16 bits while there are at most 65,536 of each) */
  file: Int32Array;
  proc: Uint16Array | Int32Array;
  comm: Uint16Array | Int32Array;
  /** file keys, processes and comms in order of first appearance (files may repeat after renameFiles) */
  readonly files: string[] = [];
  readonly procs: string[] = [];
  readonly comms: string[] = [];
  private readonly fileNumbers = new Map<string, number>();
  private readonly procNumbers = new Map<string, number>();
  private readonly commNumbers = new Map<string, number>();
  private lastFile: string | undefined;
  private lastFileIndex = 0;
  private lastProc: string | undefined;
  private lastProcIndex = 0;
  private lastComm: string | undefined;
  private lastCommIndex = 0;

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity);
    this.tsNs = new Float64Array(c);
    this.durNs = new Float64Array(c);
    this.pid = new Uint32Array(c);
    this.offset = new Float64Array(c);
    this.lengthBytes = new Float64Array(c);
    this.parent = new Int32Array(c);
    this.line = new Uint32Array(c);
    this.kind = new Uint8Array(c);
    this.file = new Int32Array(c);
    this.proc = new Uint16Array(c);
    this.comm = new Uint16Array(c);
  }

  static fromOps(ops: readonly Op[]): OpColumns {
    const c = new OpColumns(ops.length);
    for (let i = 0; i < ops.length; i++) c.push(ops[i]);
    return c;
  }

  /** Views of the rows held, and the string tables (not copies: do not change them). */
  pack(): PackedOps {
    const n = this.n;
    const p = { n, ids: this.ids?.subarray(0, n), files: this.files, procs: this.procs, comms: this.comms } as Record<string, unknown>;
    for (const name of ROW_COLUMNS) p[name] = this[name].subarray(0, n);
    return p as PackedOps;
  }

  /** Columns over packed data (its arrays are used as they are). */
  static unpack(p: PackedOps): OpColumns {
    const c = new OpColumns(0);
    c.n = p.n;
    c.ids = p.ids;
    for (const name of ROW_COLUMNS) (c as unknown as Record<string, unknown>)[name] = p[name];
    for (const f of p.files) c.files.push(f);
    for (const x of p.procs) c.procs.push(x);
    for (const x of p.comms) c.comms.push(x);
    return c;
  }

  get length(): number {
    return this.n;
  }

  /** Appends an op (its fields are copied; the object is not kept). */
  push(op: Op): void {
    const i = this.n;
    if (i === this.tsNs.length) this.grow(Math.max(16, 2 * i));
    if (this.ids !== undefined) this.ids[i] = op.id;
    else if (op.id !== i) this.keepIds(i, op.id);
    this.tsNs[i] = op.tsNs;
    this.durNs[i] = op.durNs ?? NaN;
    const pid = op.pid;
    if (pid >>> 0 !== pid && this.pid instanceof Uint32Array) this.pid = Float64Array.from(this.pid);
    this.pid[i] = pid;
    this.offset[i] = op.offset;
    this.lengthBytes[i] = op.lengthBytes;
    // (none, null from JSON, and NaN are all no parent, as they were in a 64-bit column)
    const parent = op.parent ?? NaN;
    if (this.parent instanceof Int32Array) {
      if (parent !== parent) this.parent[i] = -1;
      else if (parent >= 0 && (parent | 0) === parent) this.parent[i] = parent;
      else {
        this.parent = this.widenedParents();
        this.parent[i] = parent;
      }
    } else this.parent[i] = parent;
    const line = op.line;
    if (line >>> 0 !== line && this.line instanceof Uint32Array) this.line = Float64Array.from(this.line);
    this.line[i] = line;
    const k = KIND_CODE.get(op.kind);
    if (k === undefined) throw new Error(`not an op kind: ${op.kind}`);
    this.kind[i] = k;
    if (op.file !== this.lastFile) {
      this.lastFile = op.file;
      this.lastFileIndex = numberOf(this.fileNumbers, this.files, op.file);
    }
    this.file[i] = this.lastFileIndex;
    if (op.proc !== this.lastProc) {
      this.lastProc = op.proc;
      this.lastProcIndex = numberOf(this.procNumbers, this.procs, op.proc);
      if (this.lastProcIndex > 0xffff && this.proc instanceof Uint16Array) this.proc = Int32Array.from(this.proc);
    }
    this.proc[i] = this.lastProcIndex;
    if (op.comm !== this.lastComm) {
      this.lastComm = op.comm;
      this.lastCommIndex = numberOf(this.commNumbers, this.comms, op.comm);
      if (this.lastCommIndex > 0xffff && this.comm instanceof Uint16Array) this.comm = Int32Array.from(this.comm);
    }
    this.comm[i] = this.lastCommIndex;
    this.n = i + 1;
  }

  /** A new Op object for row i, with the fields (and the optional ones) the pushed op had. */
  at(i: number): Op {
    const op: Op = {
      id: this.idOf(i), tsNs: this.tsNs[i], pid: this.pid[i], proc: this.procs[this.proc[i]], comm: this.comms[this.comm[i]], file: this.files[this.file[i]],
      kind: OP_KINDS[this.kind[i]] as OpKind, offset: this.offset[i], lengthBytes: this.lengthBytes[i], line: this.line[i],
    };
    const d = this.durNs[i];
    if (d === d) op.durNs = d;
    if (this.hasParent(i)) op.parent = this.parent[i];
    return op;
  }

  /** row i's op is a child op */
  hasParent(i: number): boolean {
    const p = this.parent[i];
    return p >= 0 || (p === p && this.parent instanceof Float64Array);
  }

  /** the id of row i's enclosing op, NaN for none */
  parentOf(i: number): number {
    return this.hasParent(i) ? this.parent[i] : NaN;
  }

  toArray(): Op[] {
    const ops: Op[] = new Array<Op>(this.n);
    for (let i = 0; i < this.n; i++) ops[i] = this.at(i);
    return ops;
  }

  /** the id of row i's op */
  idOf(i: number): number {
    return this.ids === undefined ? i : this.ids[i];
  }

  /** file key of row i */
  fileOf(i: number): string {
    return this.files[this.file[i]];
  }

  /** Renames file keys (the import's late file identities): every op of a renamed key gets the new one. */
  renameFiles(aliases: ReadonlyMap<string, string> | Record<string, string>): void {
    const map = aliases instanceof Map ? aliases : new Map(Object.entries(aliases));
    for (let f = 0; f < this.files.length; f++) {
      const to = map.get(this.files[f]);
      if (to !== undefined) this.files[f] = to;
    }
    // an op pushed later keeps the key it names (an old key is a new entry again)
    this.fileNumbers.clear();
    for (let f = 0; f < this.files.length; f++) if (!this.fileNumbers.has(this.files[f])) this.fileNumbers.set(this.files[f], f);
    this.lastFile = undefined;
  }

  /** the parent column as 64-bit floats, NaN for none (a parent id did not fit 32 bits) */
  private widenedParents(): Float64Array {
    const wide = new Float64Array(this.parent.length);
    for (let r = 0; r < this.parent.length; r++) wide[r] = this.parent[r] >= 0 ? this.parent[r] : NaN;
    return wide;
  }

  /** row i's op is the first whose id is not its row number: ids are kept from now on */
  private keepIds(i: number, id: number): void {
    const ids = new Float64Array(this.tsNs.length);
    for (let r = 0; r < i; r++) ids[r] = r;
    ids[i] = id;
    this.ids = ids;
  }

  private grow(size: number): void {
    if (this.ids !== undefined) this.ids = grown(this.ids, size);
    const self = this as unknown as Record<string, Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>;
    for (const name of ROW_COLUMNS) self[name] = grown(self[name], size);
  }

}
