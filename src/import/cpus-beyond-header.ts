/**
 * Event lines on a CPU the trace header does not count. tracefs's "#P:N" (trace-cmd's "cpus=N")
 * names CPUs 0 to N-1, and a replay models N CPUs by it; an event on CPU N or above says the count
 * is not the machine's (traces of two machines joined, an edited header, a damaged line). Such lines
 * are read as every other; the import says how many there were, the first one and the highest CPU.
 * The count may come after the first events (a header in the middle): the events before it are
 * kept by CPU number until it comes.
 */

/** CPU numbers from this one on are one bucket while no count is known (no usable count is larger) */
const BUCKET_CAP = 65_536;

/** the event lines on CPUs from some number on: how many, the first, the highest CPU */
interface Tally {
  lines: number;
  firstLine: number;
  /** the first line's CPU, as written */
  firstCpu: string;
  maxCpu: number;
  /** the highest CPU, as written */
  maxCpuDigits: string;
}

export class CpusBeyondHeader {
  /**
   * the first CPU number noted: the header's count once known, else 0 (every event line is kept by
   * its CPU until the count comes)
   */
  limit = 0;
  private known = false;
  private readonly early = new Map<number, Tally>();
  private lastBucket = -1;
  private lastTally: Tally | undefined;
  /** the event lines on CPUs at or above the header's count, once it is known */
  readonly beyond: Tally = { lines: 0, firstLine: 0, firstCpu: '', maxCpu: -1, maxCpuDigits: '' };

  /** an event line on `cpu` (written as text[from, to)), seen when cpu >= limit */
  see(cpu: number, text: string, from: number, to: number, line: number): void {
    if (this.known) {
      const d = cpuDigits(text.slice(from, to));
      add(this.beyond, { lines: 1, firstLine: line, firstCpu: d, maxCpu: cpu, maxCpuDigits: d });
      return;
    }
    const bucket = cpu >= BUCKET_CAP ? BUCKET_CAP : cpu;
    let t = bucket === this.lastBucket ? this.lastTally : this.early.get(bucket);
    if (t === undefined) {
      const d = cpuDigits(text.slice(from, to));
      this.early.set(bucket, (t = { lines: 0, firstLine: line, firstCpu: d, maxCpu: cpu, maxCpuDigits: d }));
    } else if (cpu > t.maxCpu) {
      t.maxCpu = cpu;
      t.maxCpuDigits = cpuDigits(text.slice(from, to));
    }
    t.lines++;
    this.lastBucket = bucket;
    this.lastTally = t;
  }

  /** the header's count (the first usable one): the lines before it on CPUs it does not count are counted */
  headerCount(cpus: number): void {
    if (this.known) return;
    this.known = true;
    this.limit = cpus;
    for (const [bucket, t] of this.early) if (bucket >= cpus) add(this.beyond, t);
    this.early.clear();
    this.lastTally = undefined;
    this.lastBucket = -1;
  }
}

function add(to: Tally, t: Tally): void {
  if (to.lines === 0 || t.firstLine < to.firstLine) {
    to.firstLine = t.firstLine;
    to.firstCpu = t.firstCpu;
  }
  to.lines += t.lines;
  if (t.maxCpu > to.maxCpu) {
    to.maxCpu = t.maxCpu;
    to.maxCpuDigits = t.maxCpuDigits;
  }
}

/** "12" of "012", "0" of "000": a CPU's digits without leading zeros */
function cpuDigits(text: string): string {
  return text.replace(/^0+(?=\d)/, '');
}

/**
 * What the import says of the event lines on CPUs the header's count leaves out (none: undefined):
 * `header` is the count used and the header line that gave it ("#P:2", line 3).
 */
export function cpusBeyondNote(beyond: CpusBeyondHeader, header: { cpus: number; text: string; line: number }): string | undefined {
  const t = beyond.beyond;
  if (t.lines === 0) return undefined;
  const n = header.cpus;
  const lines = t.lines === 1 ? '1 event line is' : `${t.lines.toLocaleString('en-US')} event lines are`;
  const first = t.lines === 1 ? `line ${t.firstLine} (CPU ${t.firstCpu})` : `the first is line ${t.firstLine} (CPU ${t.firstCpu}), the highest CPU ${t.maxCpuDigits}`;
  return `${lines} on a CPU the trace header does not count (${header.text}, line ${header.line}: CPU${n === 1 ? ' 0' : `s 0 to ${n - 1}`}): ${first}. A replay models the header's ${n} CPU${n === 1 ? '' : 's'} (--cpus sets another count)`;
}
