// The two floors the importer is measured against, on the same file, in the same run:
// (a) splitting into lines only; (b) splitting plus extracting each line's pid, timestamp and event
// name with a byte-level scan. Prints JSON with lines/s.
import { peakRssKb } from './peak-rss.js';
import { openSync, readSync, closeSync } from 'node:fs';

const path = process.argv[2];
const mode = process.argv[3];
const CHUNK = 1 << 20;

function scan(onLine) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK * 2);
  let have = 0;
  let lines = 0;
  for (;;) {
    const n = readSync(fd, buf, have, CHUNK, null);
    if (n === 0) break;
    have += n;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= have) break;
      lines++;
      onLine(buf, start, nl);
      start = nl + 1;
    }
    buf.copy(buf, 0, start, have);
    have -= start;
  }
  closeSync(fd);
  return lines;
}

let sink = 0;
function extract(b, s, e) {
  // find " [" of the CPU field
  let i = b.indexOf(91, s); // '['
  if (i < 0 || i >= e) return;
  // pid: digits before the '-' left of '['
  let j = i - 1;
  while (j > s && b[j] === 32) j--;
  let pid = 0, mul = 1;
  while (j > s && b[j] >= 48 && b[j] <= 57) { pid += (b[j] - 48) * mul; mul *= 10; j--; }
  // timestamp: after "] flags "
  let k = b.indexOf(93, i) + 1;
  while (b[k] === 32) k++;
  while (b[k] !== 32) k++; // flags
  while (b[k] === 32) k++;
  let sec = 0;
  while (b[k] >= 48 && b[k] <= 57) sec = sec * 10 + b[k++] - 48;
  k++;
  let us = 0;
  while (b[k] >= 48 && b[k] <= 57) us = us * 10 + b[k++] - 48;
  k += 2;
  const ns = k;
  while (k < e && b[k] !== 58 && b[k] !== 40 && b[k] !== 32) k++;
  const name = b.latin1Slice(ns, k);
  sink += pid + sec + us + name.length;
}

const t0 = performance.now();
const lines = mode === 'split' ? scan(() => undefined) : scan(extract);
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ lines, ms, sink, maxRssKb: peakRssKb() })}\n`);
