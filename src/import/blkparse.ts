/**
 * blkparse's default text output (trace-formats.md §3):
 *   "%3d,%-3d %2d %8d %5d.%09lu %5u %2s %3s " maj,min cpu seq sec.nsec pid action rwbs, then a tail.
 * The trailing per-CPU/total summary block is read for a cross-check of the counts, not as events.
 */
import type { BadLines, LineCounter } from './accounting.js';
import { type BlockAction, BlockOpBuilder, parseBlockTail } from './block.js';
import { TimeOrder } from './limits.js';

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
  /** each summary block (outputs of several runs joined end to end have one each): its counts by device */
  private readonly blocks: Map<string, DeviceCounts>[] = [];
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
      if (!this.inSummary) this.blocks.push(new Map());
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
    const nsec = m[6].padEnd(9, '0').slice(0, 9);
    const tsNs = Number(m[5]) * 1e9 + Number(nsec);
    const badTime = this.time.check(tsNs);
    if (badTime !== undefined) {
      this.badLines.report(lineNo, badTime, line);
      return;
    }
    this.eventLines++;
    const a: BlockAction = {
      tsNs, pid: Number(m[7]), comm: t.comm, major: Number(m[1]), minor: Number(m[2]),
      action: t.action, rwbs: t.rwbs, sector: t.sector, sectors: t.sectors, line: lineNo,
    };
    this.builder.handle(a);
  }

  private readSummary(line: string): void {
    // counts use thousands separators: "Reads Queued:       2,411,   38,576KiB"
    const r = /Reads Queued:\s+([\d,]+),/.exec(line);
    const w = /Writes Queued:\s+([\d,]+),/.exec(line);
    if (!r && !w) return;
    const num = (s: string): number => Number(s.replace(/,/g, ''));
    const block = this.blocks[this.blocks.length - 1];
    let device = block.get(this.summaryDevice);
    if (device === undefined) block.set(this.summaryDevice, (device = { totalReads: 0, totalWrites: 0, totalSeen: false, cpuReads: 0, cpuWrites: 0 }));
    // a device's Total block where it has one (blkparse prints it for a device seen on several
    // CPUs), else the sum of its per-CPU blocks
    if (this.summaryScope === 'Total') {
      device.totalSeen = true;
      if (r) device.totalReads += num(r[1]);
      if (w) device.totalWrites += num(w[1]);
    } else {
      if (r) device.cpuReads += num(r[1]);
      if (w) device.cpuWrites += num(w[1]);
    }
    let reads = 0;
    let writes = 0;
    for (const b of this.blocks) {
      for (const d of b.values()) {
        reads += d.totalSeen ? d.totalReads : d.cpuReads;
        writes += d.totalSeen ? d.totalWrites : d.cpuWrites;
      }
    }
    this.summary.readsQueued = reads;
    this.summary.writesQueued = writes;
  }
}

interface DeviceCounts {
  totalReads: number;
  totalWrites: number;
  totalSeen: boolean;
  cpuReads: number;
  cpuWrites: number;
}
