// Imports a trace (a path, or - for stdin) in this process and prints lines, ops and peak RSS as JSON.
// Used by the benchmark and the streaming-memory test so each measurement has its own peak.
import { peakRssKb } from './peak-rss.js';
import { importTrace } from '../dist/import/index.js';

const path = process.argv[2] ?? '-';
const keepLocks = process.argv[3] !== 'nolocks';
const t0 = performance.now();
let ops = 0;
const summary = await importTrace(path, { op: () => ops++, lock: () => undefined }, { keepLocks });
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ lines: summary.lines.total, ops, ms, bytes: summary.bytes, maxRssKb: peakRssKb() })}\n`);
