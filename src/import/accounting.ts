/** Every input line is used, skipped for a named reason, or bad. The three add up to the line count. */
export interface LineAccounting {
  total: number;
  used: number;
  skipped: Record<string, number>;
  bad: number;
  /** the first few bad lines (lenient mode), "file:line: reason" */
  badSamples: string[];
}

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
