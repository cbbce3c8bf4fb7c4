/**
 * blkparse's default text output (trace-formats.md §3):
 *   "%3d,%-3d %2d %8d %5d.%09lu %5u %2s %3s " maj,min cpu seq sec.nsec pid action rwbs, then a tail.
 * The trailing per-CPU/total summary block is read for a cross-check of the counts, not as events.
 */
import type { BadLines, LineCounter } from './accounting.js';
import { type BlockAction, BlockOpBuilder, parseBlockTail } from './block.js';
import { deviceProblem, TimeOrder } from './limits.js';

const LINE = /^\s*(\d+),(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\.(\d+)\s+(\d+)\s+(.*)$/;

export interface BlkparseSummary {
  readsQueued?: number;
  writesQueued?: number;
}

export class BlkparseLineParser {
  private inSummary = false;
  private summaryScope = '';
  readonly summary: BlkparseSummary = {};
  private readonly tail = { action: '', rwbs: '', sector: -1, sectors: 0, comm: '', problem: undefined as string | undefined };
  eventLines = 0;
  /** blkparse sorts its output by time: a timestamp going backwards is a bad line, as in ftrace text */
  private readonly time = new TimeOrder(true);
  /**
   * the present summary block (outputs of several runs joined end to end have one each): its counts
   * by device; the counts of every block so far are kept as sums, a line adding to them in constant time
   */
  private block = new Map<string, DeviceCounts>();
  private readonly queued = { reads: 0, writes: 0 };
  private summaryDevice = '';

  constructor(private readonly builder: BlockOpBuilder, private readonly counter: LineCounter, private readonly badLines: BadLines) {}

  line(text: string, start: number, end: number, lineNo: number): void {
    const line = text.slice(start, end);
    if (line.trim() === '') {
      this.counter.skip('blank');
      return;
    }
    const scope = /^(CPU\d+|Total) \(([^)]*)\)/.exec(line);
    if (scope) {
      if (!this.inSummary) this.block = new Map();
      this.inSummary = true;
      this.summaryScope = scope[1];
      this.summaryDevice = scope[2];
    }
    const m = scope ? null : LINE.exec(line);
    // an event line after a summary block: another run's output joined to this one
    if (this.inSummary && m === null) {
      this.counter.skip('summary');
      this.readSummary(line);
      return;
    }
    if (!m || !parseBlockTail(m[8], this.tail)) {
      if (/^(Throughput|Events|Skips)\b/.test(line.trim())) {
        this.counter.skip('summary');
        return;
      }
      this.badLines.report(lineNo, 'not a blkparse line ("MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS ...")', line);
      return;
    }
    this.inSummary = false;
    const t = this.tail;
    if (t.problem !== undefined) {
      this.badLines.report(lineNo, t.problem, line);
      return;
    }
    const [major, minor] = [Number(m[1]), Number(m[2])];
    const badDevice = deviceProblem(major, minor);
    if (badDevice !== undefined) {
      this.badLines.report(lineNo, badDevice, line);
      return;
    }
    const nsec = m[6].padEnd(9, '0').slice(0, 9);
    const tsNs = Number(m[5]) * 1e9 + Number(nsec);
    const badTime = this.time.check(tsNs, lineNo);
    if (badTime !== undefined) {
      this.badLines.report(lineNo, badTime, line);
      return;
    }
    this.eventLines++;
    const a: BlockAction = {
      tsNs, pid: Number(m[7]), comm: t.comm, major, minor,
      action: t.action, rwbs: t.rwbs, sector: t.sector, sectors: t.sectors, line: lineNo,
    };
    this.builder.handle(a);
  }

  private readSummary(line: string): void {
    // counts use thousands separators: "Reads Queued:       2,411,   38,576KiB"
    const r = /Reads Queued:\s+([\d,]+),/.exec(line);
    const w = /Writes Queued:\s+([\d,]+),/.exec(line);
    if (!r && !w) return;
    // (at most 2^53 - 1: the sums are kept by adding and taking away, which an infinity would make NaN)
    const num = (s: string): number => Math.min(Number(s.replace(/,/g, '')), Number.MAX_SAFE_INTEGER);
    let device = this.block.get(this.summaryDevice);
    if (device === undefined) this.block.set(this.summaryDevice, (device = { totalReads: 0, totalWrites: 0, totalSeen: false, cpuReads: 0, cpuWrites: 0 }));
    // a device's Total block where it has one (blkparse prints it for a device seen on several
    // CPUs), else the sum of its per-CPU blocks
    this.queued.reads -= device.totalSeen ? device.totalReads : device.cpuReads;
    this.queued.writes -= device.totalSeen ? device.totalWrites : device.cpuWrites;
    if (this.summaryScope === 'Total') {
      device.totalSeen = true;
      if (r) device.totalReads += num(r[1]);
      if (w) device.totalWrites += num(w[1]);
    } else {
      if (r) device.cpuReads += num(r[1]);
      if (w) device.cpuWrites += num(w[1]);
    }
    this.queued.reads += device.totalSeen ? device.totalReads : device.cpuReads;
    this.queued.writes += device.totalSeen ? device.totalWrites : device.cpuWrites;
    this.summary.readsQueued = this.queued.reads;
    this.summary.writesQueued = this.queued.writes;
  }
}

interface DeviceCounts {
  totalReads: number;
  totalWrites: number;
  totalSeen: boolean;
  cpuReads: number;
  cpuWrites: number;
}
