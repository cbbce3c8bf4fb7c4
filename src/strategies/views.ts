/**
 * Strategies whose plan() reads its op (and ctx.parent) during the call only and keeps no reference
 * to it: the built-in ones and JSON rules tables. The engine gives them a view of the op's row in
 * the op columns (model/op-view.ts) instead of an Op object made for every plan. A JavaScript
 * module's strategy gets Op objects of its own, as the Strategy interface promises.
 */
import type { Strategy } from './types.js';

const FROM_VIEWS = new WeakSet<Strategy>();

export function markPlansFromViews<S extends Strategy>(s: S): S {
  FROM_VIEWS.add(s);
  return s;
}

export function plansFromViews(s: Strategy): boolean {
  return FROM_VIEWS.has(s);
}
