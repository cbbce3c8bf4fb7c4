// The trace at PATH repeated `times` times end to end as op columns (shifted in time, distinct tasks
// and ids), as the replay measurements use it. The trace as imported is not kept: a trace of that
// many ops would be imported once, not repeated.
import { loadForReplay, traceOfColumns } from '../dist/replay/index.js';
import { OpColumns } from '../dist/model/op-columns.js';

export async function repeatedTrace(path, times) {
  const trace = await loadForReplay(path);
  const source = trace.columns;
  const n = source.n;
  const spanNs = n > 0 ? source.tsNs[n - 1] - source.tsNs[0] + 1_000_000 : 0;
  const columns = new OpColumns(n * times);
  for (let k = 0; k < times; k++) {
    for (let i = 0; i < n; i++) {
      const o = source.at(i);
      o.id += k * n;
      o.tsNs += k * spanNs;
      o.pid += k * 1_000_000;
      if (o.parent !== undefined) o.parent += k * n;
      columns.push(o);
    }
  }
  return { columns, shifted: traceOfColumns(columns, trace.summary, trace.waits) };
}
