/**
 * Service time of each op: its observed duration where the trace has one (> 0), else a per-kind,
 * per-size model calibrated from the trace's own ops. The model takes the lower quartile of the
 * observed durations in each (kind, size class): the quartile stands for the uncontended cost, the
 * upper ones having waited on locks in the real kernel.
 */
import type { Op, OpKind } from '../model/op.js';

export interface ServiceModel {
  /** kind → size class (log2 of pages, "0" = 1 page) → ns */
  byKindAndSize: Record<string, Record<string, number>>;
  /** kind → ns, over all sizes */
  byKind: Record<string, number>;
  /** used when the trace has no observed op of a kind: base + perPage × pages */
  defaultBaseNs: number;
  defaultPerPageNs: number;
}

export interface ServiceTimes {
  /** per op id */
  ns: Float64Array;
  observed: number;
  modelled: number;
  /** modelled ops per kind */
  modelledByKind: Record<string, number>;
  model: ServiceModel;
}

const DEFAULT_BASE_NS = 5_000;
const DEFAULT_PER_PAGE_NS = 1_000;

function sizeClass(lengthBytes: number, pageSizeBytes: number): string {
  return String(sizeClassNum(lengthBytes, pageSizeBytes));
}

function lowerQuartile(values: number[]): number {
  const s = Float64Array.from(values).sort();
  return s[Math.floor((s.length - 1) / 4)];
}

function sizeClassNum(lengthBytes: number, pageSizeBytes: number): number {
  const pages = lengthBytes <= pageSizeBytes ? 1 : Math.ceil(lengthBytes / pageSizeBytes);
  return 31 - Math.clz32(pages);
}

export function calibrate(ops: readonly Op[], pageSizeBytes: number): ServiceModel {
  const samples = new Map<string, number[][]>();
  for (const op of ops) {
    const d = op.durNs;
    if (d === undefined || d <= 0 || op.parent !== undefined) continue;
    const cls = sizeClassNum(op.lengthBytes, pageSizeBytes);
    let perKind = samples.get(op.kind);
    if (perKind === undefined) samples.set(op.kind, (perKind = []));
    while (perKind.length <= cls) perKind.push([]);
    perKind[cls].push(d);
  }
  const byKindAndSize: Record<string, Record<string, number>> = {};
  const byKind: Record<string, number> = {};
  for (const kind of [...samples.keys()].sort()) {
    const perKind = samples.get(kind) as number[][];
    const row: Record<string, number> = {};
    const all: number[] = [];
    perKind.forEach((list, cls) => {
      if (list.length === 0) return;
      row[String(cls)] = lowerQuartile(list);
      for (const v of list) all.push(v);
    });
    byKindAndSize[kind] = row;
    byKind[kind] = lowerQuartile(all);
  }
  return { byKindAndSize, byKind, defaultBaseNs: DEFAULT_BASE_NS, defaultPerPageNs: DEFAULT_PER_PAGE_NS };
}

export function modelNs(model: ServiceModel, kind: OpKind, lengthBytes: number, pageSizeBytes: number): number {
  const exact = model.byKindAndSize[kind]?.[sizeClass(lengthBytes, pageSizeBytes)];
  if (exact !== undefined) return exact;
  const k = model.byKind[kind];
  if (k !== undefined) return k;
  return model.defaultBaseNs + model.defaultPerPageNs * Math.max(1, Math.ceil(lengthBytes / pageSizeBytes));
}

export function serviceTimes(ops: readonly Op[], pageSizeBytes: number): ServiceTimes {
  const model = calibrate(ops, pageSizeBytes);
  const ns = new Float64Array(ops.length);
  let observed = 0;
  let modelled = 0;
  const modelledByKind: Record<string, number> = {};
  // kind → ns by size class, filled on first use
  const lookup = new Map<string, Float64Array>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.durNs !== undefined && op.durNs > 0) {
      ns[i] = op.durNs;
      observed++;
    } else {
      let row = lookup.get(op.kind);
      if (row === undefined && model.byKind[op.kind] === undefined) {
        // no observed op of this kind: the default model is exact per page count
        ns[i] = modelNs(model, op.kind, op.lengthBytes, pageSizeBytes);
        modelled++;
        modelledByKind[op.kind] = (modelledByKind[op.kind] ?? 0) + 1;
        continue;
      }
      if (row === undefined) {
        row = new Float64Array(54);
        for (let c = 0; c < row.length; c++) row[c] = modelNs(model, op.kind, pageSizeBytes * 2 ** c, pageSizeBytes);
        lookup.set(op.kind, row);
      }
      const cls = sizeClassNum(op.lengthBytes, pageSizeBytes);
      ns[i] = cls < row.length ? row[cls] : modelNs(model, op.kind, op.lengthBytes, pageSizeBytes);
      modelled++;
      modelledByKind[op.kind] = (modelledByKind[op.kind] ?? 0) + 1;
    }
  }
  return { ns, observed, modelled, modelledByKind, model };
}
