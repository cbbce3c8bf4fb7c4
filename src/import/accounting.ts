import { BadInputError } from '../errors.js';
import type { LineAccounting } from '../model/result.js';
export type { LineAccounting } from '../model/result.js';

export class LineCounter {
  used = 0;
  bad = 0;
  private readonly skipped = new Map<string, number>();
  readonly badSamples: string[] = [];

  use(lines = 1): void {
    this.used += lines;
  }

  skip(reason: string, lines = 1): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + lines);
  }

  /** takes back lines counted as skipped for `reason` (a comment found to be a bad footer) */
  unskip(reason: string, lines = 1): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) - lines);
  }

  badLine(sample: string): void {
    this.bad++;
    if (this.badSamples.length < 10) this.badSamples.push(sample);
  }

  result(): LineAccounting {
    const skipped: Record<string, number> = {};
    let skippedTotal = 0;
    for (const [reason, n] of [...this.skipped].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      skipped[reason] = n;
      skippedTotal += n;
    }
    return { total: this.used + skippedTotal + this.bad, used: this.used, skipped, bad: this.bad, badSamples: [...this.badSamples] };
  }
}

/**
 * The one rule for a bad line, shared by every parser: in strict mode it stops the import
 * (exit 4, naming file:line); with --lenient it is counted, and the first few are kept as samples.
 */
export class BadLines {
  constructor(private readonly fileName: string, readonly lenient: boolean, private readonly counter: LineCounter) {}

  /** Line `line` is bad for `reason`. Throws in strict mode. */
  report(line: number, reason: string, excerpt?: string): void {
    if (!this.lenient) throw new BadInputError(this.fileName, line, reason, excerpt);
    this.counter.badLine(`${this.fileName}:${line}: ${reason}`);
  }

  /**
   * An op made of `lines` input lines, starting at `line`, is bad: its first line counts as bad,
   * the others as skipped ("lines-of-a-bad-op").
   */
  reportOp(line: number, reason: string, lines: number): void {
    if (lines === 0) {
      // a child op whose lines its parent accounts for: nothing to recount
      if (!this.lenient) throw new BadInputError(this.fileName, line, reason);
      return;
    }
    this.report(line, reason);
    if (lines > 1) this.counter.skip('lines-of-a-bad-op', lines - 1);
  }
}
