/**
 * Event lines on a CPU the trace header does not count. tracefs's "#P:N" (trace-cmd's "cpus=N")
 * names CPUs 0 to N-1, and a replay models N CPUs by it; an event on CPU N or above says the count
 * is not the machine's (traces of two machines joined, an edited header, a damaged line). Such lines
 * are read as every other; the import says how many there were, the first one and the highest CPU.
 * The count may come after the first events (a header in the middle): the events before it are
 * kept by CPU number until it comes. A trace-cmd report of several inputs (a host and its guest)
 * has a count for each ("guest.dat: cpus=4"): each input's event lines are checked against its own.
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
 * The event lines on CPUs their trace's count leaves out, for each trace-cmd input with its own
 * count ("NAME: cpus=N"); the lines of no such input (one input's trace, a line without a declared
 * prefix, an input whose count is unusable) are checked against the first usable count, as one trace.
 */
export class CpusBeyondInputs {
  /** the lines of no input with its own count: the first usable count's */
  readonly unnamed = new CpusBeyondHeader();
  /** a declared input's number → its lines, by its own count */
  private readonly byInput: (CpusBeyondHeader | undefined)[] = [];
  /** a declared input's number → its name and count line */
  private readonly headers: (InputCount | undefined)[] = [];
  /** no line on a CPU below this one is noted: the lowest count known (0 while the first is unknown) */
  limit = 0;

  /** an event line of `input` (-1: none declared) on `cpu` (written as text[from, to)), seen when cpu >= limit */
  see(input: number, cpu: number, text: string, from: number, to: number, line: number): void {
    const t = (input >= 0 ? this.byInput[input] : undefined) ?? this.unnamed;
    if (cpu >= t.limit) t.see(cpu, text, from, to, line);
  }

  /** the header's first usable count */
  headerCount(cpus: number): void {
    this.unnamed.headerCount(cpus);
    this.updateLimit();
  }

  /** a declared input's count (its first usable one counts): `header` names the input and the line */
  inputCount(input: number, cpus: number, header: InputCount): void {
    if (this.byInput[input] !== undefined) return;
    const t = new CpusBeyondHeader();
    t.headerCount(cpus);
    this.byInput[input] = t;
    this.headers[input] = header;
    this.updateLimit();
  }

  /** the inputs with their own count, in the header's order */
  inputs(): { beyond: CpusBeyondHeader; header: InputCount }[] {
    const out: { beyond: CpusBeyondHeader; header: InputCount }[] = [];
    this.byInput.forEach((beyond, k) => {
      const header = this.headers[k];
      if (beyond !== undefined && header !== undefined) out.push({ beyond, header });
    });
    return out;
  }

  private updateLimit(): void {
    let limit = this.unnamed.limit;
    for (const t of this.byInput) if (t !== undefined && t.limit < limit) limit = t.limit;
    this.limit = limit;
  }
}

/** a trace-cmd input's own count: its name (as read, latin1), the count, its header line ("cpus=4", line 3) */
export interface InputCount {
  name: string;
  cpus: number;
  text: string;
  line: number;
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
  return `${lines} on a CPU the trace header does not count (${header.text}, line ${header.line}: ${cpuRange(n)}): ${firstAndHighest(t)}. A replay models the header's ${cpusOf(n)} (--cpus sets another count)`;
}

/**
 * The same for each trace-cmd input with its own count (`name` utf-8 text of a latin1 name): its
 * lines on CPUs its count leaves out. `replay` is the count a replay models and whose it is.
 */
export function inputCpusBeyondNotes(beyond: CpusBeyondInputs, replay: { cpus: number; input: string | undefined }, name: (latin1: string) => string): string[] {
  const notes: string[] = [];
  const whose = replay.input !== undefined ? `${name(replay.input)}'s` : 'the header\'s';
  for (const { beyond: b, header } of beyond.inputs()) {
    const t = b.beyond;
    if (t.lines === 0) continue;
    const input = name(header.name);
    const lines = t.lines === 1 ? `1 event line of ${input} is` : `${t.lines.toLocaleString('en-US')} event lines of ${input} are`;
    notes.push(`${lines} on a CPU its trace header does not count (${input}: ${header.text}, line ${header.line}: ${cpuRange(header.cpus)}): ${firstAndHighest(t)}. A replay models ${whose} ${cpusOf(replay.cpus)} (--cpus sets another count)`);
  }
  return notes;
}

function cpuRange(n: number): string {
  return `CPU${n === 1 ? ' 0' : `s 0 to ${n - 1}`}`;
}

function cpusOf(n: number): string {
  return `${n} CPU${n === 1 ? '' : 's'}`;
}

function firstAndHighest(t: Tally): string {
  return t.lines === 1 ? `line ${t.firstLine} (CPU ${t.firstCpu})` : `the first is line ${t.firstLine} (CPU ${t.firstCpu}), the highest CPU ${t.maxCpuDigits}`;
}
