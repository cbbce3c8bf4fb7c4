// Imports a trace (a path, or - for stdin) in this process and prints lines, ops and peak RSS as JSON.
// Used by the benchmark and the streaming-memory test so each measurement has its own peak.
// Arguments: PATH [locks|nolocks] [csv:PRESET] [csv-parse]: a CSV block trace read with a preset,
// and with `csv-parse` every line through csv-parse (the library the fast splitter is tested against).
import { peakRssKb } from './peak-rss.js';
import { importTrace } from '../dist/import/index.js';
import { csvReading } from '../dist/import/csv.js';

const [path = '-', locks = 'locks', csv = '', reference = ''] = process.argv.slice(2);
const keepLocks = locks !== 'nolocks';
const csvOptions = csv.startsWith('csv:') ? { format: 'csv', csvPreset: csv.slice(4) } : {};
if (reference === 'csv-parse') csvReading.plainLines = false;
const t0 = performance.now();
let ops = 0;
const summary = await importTrace(path, { op: () => ops++, lock: () => undefined }, { keepLocks, ...csvOptions });
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ lines: summary.lines.total, ops, ms, bytes: summary.bytes, maxRssKb: peakRssKb() })}\n`);
