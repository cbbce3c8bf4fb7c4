/**
 * Service time of each op: its observed duration where the trace has one (> 0), else a per-kind,
 * per-size model calibrated from the trace's own ops. The model takes the lower quartile of the
 * observed durations in each (kind, size class): the quartile stands for the uncontended cost, the
 * upper ones having waited on locks in the real kernel.
 */
import { type Op, OP_KINDS, type OpKind } from '../model/op.js';
import type { OpColumns } from '../model/op-columns.js';
import { columnsOf } from './op-table.js';
import { selectKth } from '../util/select.js';

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

/** Size classes per kind: 0 .. 53 (2^53 pages and more share the last). */
const SIZE_CLASSES = 54;

function sizeClass(lengthBytes: number, pageSizeBytes: number): string {
  return String(sizeClassNum(lengthBytes, pageSizeBytes));
}

/**
 * The lower quartile of values[from, to): the element a sort would put at floor((n - 1) / 4), by
 * selection (util/select.ts), reordering that part of `values`.
 */
export function lowerQuartile(values: Float64Array, from: number, to: number): number {
  if (to <= from) return NaN;
  return selectKth(values, from, to, from + Math.floor((to - 1 - from) / 4));
}

/**
 * floor(log2(pages)), 0 for one page or less. (Math.clz32 takes 32 bits: for 2^32 pages or more,
 * 16 TiB at 4 KiB pages, e.g. a punch "to the end" of 2^63 bytes, it gave -1 or a small wrong
 * class; the model then crashed.) Capped at the last size class.
 */
export function sizeClassNum(lengthBytes: number, pageSizeBytes: number): number {
  const pages = lengthBytes <= pageSizeBytes ? 1 : Math.ceil(lengthBytes / pageSizeBytes);
  if (pages < 2 ** 31) return 31 - Math.clz32(pages);
  return Number.isFinite(pages) ? Math.min(SIZE_CLASSES - 1, Math.floor(Math.log2(pages))) : SIZE_CLASSES - 1;
}

/**
 * `scratch`, when given, holds the observed durations while the quartiles are taken (at least one
 * element per op; its contents are lost): serviceTimes passes its output array, so a million ops
 * leave no temporary array resident until the next full collection.
 */
export function calibrate(source: readonly Op[] | OpColumns, pageSizeBytes: number, scratch?: Float64Array): ServiceModel {
  const c = columnsOf(source);
  const n = c.n;
  // the observed durations bucketed by (kind, size class) in one array, kind-major: a kind's
  // classes lie side by side, so its all-sizes quartile is taken over one range too. Counted into
  // start[bucket + 1] first, then placed (no duration is NaN, and `!(d > 0)` leaves it out, as
  // serviceTimes does)
  const buckets = OP_KINDS.length * SIZE_CLASSES;
  const start = new Int32Array(buckets + 1);
  for (let i = 0; i < n; i++) {
    if (!(c.durNs[i] > 0) || c.hasParent(i)) continue;
    start[c.kind[i] * SIZE_CLASSES + sizeClassNum(c.lengthBytes[i], pageSizeBytes) + 1]++;
  }
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const values = scratch !== undefined && scratch.length >= start[buckets] ? scratch.subarray(0, start[buckets]) : new Float64Array(start[buckets]);
  const fill = start.slice(0, buckets);
  for (let i = 0; i < n; i++) {
    const d = c.durNs[i];
    if (!(d > 0) || c.hasParent(i)) continue;
    values[fill[c.kind[i] * SIZE_CLASSES + sizeClassNum(c.lengthBytes[i], pageSizeBytes)]++] = d;
  }
  const byKindAndSize: Record<string, Record<string, number>> = {};
  const byKind: Record<string, number> = {};
  const observedKinds = OP_KINDS.map((kind, k) => ({ kind, k })).filter(({ k }) => start[(k + 1) * SIZE_CLASSES] > start[k * SIZE_CLASSES]);
  for (const { kind, k } of observedKinds.sort((a, b) => (a.kind < b.kind ? -1 : 1))) {
    const row: Record<string, number> = {};
    for (let cls = 0; cls < SIZE_CLASSES; cls++) {
      const b = k * SIZE_CLASSES + cls;
      if (start[b + 1] > start[b]) row[String(cls)] = lowerQuartile(values, start[b], start[b + 1]);
    }
    byKindAndSize[kind] = row;
    // (the selections above only reorder within each class: the kind's range holds the same values)
    byKind[kind] = lowerQuartile(values, start[k * SIZE_CLASSES], start[(k + 1) * SIZE_CLASSES]);
  }
  return { byKindAndSize, byKind, defaultBaseNs: DEFAULT_BASE_NS, defaultPerPageNs: DEFAULT_PER_PAGE_NS };
}

/** the longest modelled service time: 2^53 ns (about 104 days), the import's bound on an observed one */
export const MAX_MODELLED_NS = Number.MAX_SAFE_INTEGER;

export function modelNs(model: ServiceModel, kind: OpKind, lengthBytes: number, pageSizeBytes: number): number {
  const exact = model.byKindAndSize[kind]?.[sizeClass(lengthBytes, pageSizeBytes)];
  if (exact !== undefined) return exact;
  const k = model.byKind[kind];
  if (k !== undefined) return k;
  const ns = model.defaultBaseNs + model.defaultPerPageNs * Math.max(1, Math.ceil(lengthBytes / pageSizeBytes));
  // lengths are bounded by the import (2^53 bytes), so this is finite; a length that is not a
  // number (an op made in memory) must still not give a service time that never ends
  return Number.isFinite(ns) ? Math.min(ns, MAX_MODELLED_NS) : MAX_MODELLED_NS;
}

export function serviceTimes(source: readonly Op[] | OpColumns, pageSizeBytes: number): ServiceTimes {
  const c = columnsOf(source);
  const n = c.n;
  const ns = new Float64Array(n);
  // (every element of ns is written below, after the model has used it as scratch)
  const model = calibrate(c, pageSizeBytes, ns);
  let observed = 0;
  let modelled = 0;
  const modelledByKind: Record<string, number> = {};
  // kind → ns by size class, filled on first use
  const lookup = new Map<string, Float64Array>();
  let lastKind: string | undefined;
  let lastRow: Float64Array | undefined;
  for (let i = 0; i < n; i++) {
    const d = c.durNs[i];
    const kind = OP_KINDS[c.kind[i]];
    const lengthBytes = c.lengthBytes[i];
    if (d > 0) {
      ns[i] = d;
      observed++;
    } else {
      let row = kind === lastKind ? lastRow : lookup.get(kind);
      if (row === undefined && model.byKind[kind] === undefined) {
        // no observed op of this kind: the default model is exact per page count
        ns[i] = modelNs(model, kind, lengthBytes, pageSizeBytes);
        modelled++;
        modelledByKind[kind] = (modelledByKind[kind] ?? 0) + 1;
        continue;
      }
      if (row === undefined) {
        row = new Float64Array(54);
        for (let c = 0; c < row.length; c++) row[c] = modelNs(model, kind, pageSizeBytes * 2 ** c, pageSizeBytes);
        lookup.set(kind, row);
      }
      lastKind = kind;
      lastRow = row;
      const cls = sizeClassNum(lengthBytes, pageSizeBytes);
      ns[i] = cls < row.length ? row[cls] : modelNs(model, kind, lengthBytes, pageSizeBytes);
      modelled++;
      modelledByKind[kind] = (modelledByKind[kind] ?? 0) + 1;
    }
  }
  return { ns, observed, modelled, modelledByKind, model };
}
