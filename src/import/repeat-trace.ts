/**
 * Makes a longer ftrace text from a real one: the event lines repeated `copies` times, each copy
 * shifted in time by the trace's span (plus 1 ms) and given distinct pids, as a stream of chunks.
 * Used by the benchmark and the streaming-memory test; never written to the repository.
 */
import { LineType, newEventFields, parseFtraceLine } from './ftrace-prefix.js';

export function* repeatTrace(text: string, copies: number): Generator<string> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const ev = newEventFields();
  const parsed: { before: string; pid: number; tsNs: number; after: string }[] = [];
  const header: string[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const line of lines) {
    if (parseFtraceLine(line, ev) !== LineType.Event) {
      if (parsed.length === 0) header.push(line);
      continue;
    }
    // locate "-PID" and the timestamp text to rewrite them
    const pidText = `-${ev.pid}`;
    const pidAt = line.lastIndexOf(pidText, line.indexOf('['));
    const tsText = /\s(\d+\.\d+|\d+):\s/.exec(line.slice(pidAt));
    if (pidAt < 0 || tsText === null) continue;
    const tsAt = pidAt + (tsText.index ?? 0) + 1;
    parsed.push({ before: line.slice(0, pidAt + 1), pid: ev.pid, tsNs: ev.tsNs, after: line.slice(pidAt + pidText.length, tsAt) + '\u0000' + line.slice(tsAt + tsText[1].length) });
    first = Math.min(first, ev.tsNs);
    last = Math.max(last, ev.tsNs);
  }
  yield `${header.join('\n')}\n`;
  const spanNs = last - first + 1_000_000;
  for (let k = 0; k < copies; k++) {
    const out: string[] = [];
    for (const p of parsed) {
      const ts = p.tsNs + k * spanNs;
      const sec = Math.floor(ts / 1e9);
      const usec = Math.round((ts - sec * 1e9) / 1000);
      const tsStr = `${sec}.${String(usec).padStart(6, '0')}`;
      out.push(`${p.before}${p.pid + k * 1_000_000}${p.after.replace('\u0000', tsStr)}`);
      if (out.length >= 20000) {
        yield `${out.join('\n')}\n`;
        out.length = 0;
      }
    }
    if (out.length > 0) yield `${out.join('\n')}\n`;
  }
}
