/**
 * A read-only Op over one row of the op columns, whose row the engine moves from op to op: how a
 * built-in strategy's plan() sees an op (strategies/index.ts plansFromViews), with no Op object
 * made per plan. Each field is read from the columns when asked, as OpColumns.at gives it (durNs and
 * parent undefined where the row has none). Valid for the plan() call only.
 */
import { OP_KINDS, type Op, type OpKind } from './op.js';
import type { OpColumns } from './op-columns.js';

export class OpView implements Op {
  /** the row */
  i = 0;

  constructor(private readonly c: OpColumns) {}

  get id(): number {
    return this.c.idOf(this.i);
  }

  get tsNs(): number {
    return this.c.tsNs[this.i];
  }

  get durNs(): number | undefined {
    const d = this.c.durNs[this.i];
    return d === d ? d : undefined;
  }

  get pid(): number {
    return this.c.pid[this.i];
  }

  get proc(): string {
    return this.c.procs[this.c.proc[this.i]];
  }

  get comm(): string {
    return this.c.comms[this.c.comm[this.i]];
  }

  get file(): string {
    return this.c.files[this.c.file[this.i]];
  }

  get kind(): OpKind {
    return OP_KINDS[this.c.kind[this.i]] as OpKind;
  }

  get offset(): number {
    return this.c.offset[this.i];
  }

  get lengthBytes(): number {
    return this.c.lengthBytes[this.i];
  }

  get parent(): number | undefined {
    return this.c.hasParent(this.i) ? this.c.parent[this.i] : undefined;
  }

  get line(): number {
    return this.c.line[this.i];
  }
}
