/** A one-line progress meter on stderr; silent unless enabled (a TTY, no --json, not piped). */
export class Progress {
  private lastMs = 0;
  private shown = false;
  constructor(private readonly enabled: boolean, private readonly label = 'importing') {}

  update(p: { lines: number; bytes: number; totalBytes?: number }): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastMs < 200) return;
    this.lastMs = now;
    const mb = (p.bytes / 1e6).toFixed(0);
    process.stderr.write(`\r${this.label}: ${mb} MB read, ${p.lines.toLocaleString('en-US')} lines used\x1b[K`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
