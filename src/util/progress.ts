/**
 * A one-line progress meter on stderr: percent, amounts with their units, and an ETA, redrawn in
 * place (\r). Silent unless enabled (stderr a terminal, no --json, not CI). The lines are made by
 * pure functions (formatImportProgress, formatReplayProgress) so they can be tested without a
 * terminal.
 */
import { onInterrupt } from './cleanup.js';
import { terminalSafe } from './terminal.js';

/** "812 B", "361.4 kB", "12.3 MB", "1.2 GB" (decimal units, as file sizes are shown) */
export function fmtBytes(bytes: number): string {
  if (bytes < 1e3) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/** "<1 s", "3 s", "2 min 5 s", "1 h 12 min" */
export function fmtEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 1) return '<1 s';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * no import ETA before this much time has passed: the first reads of a file (and the gzip reader's
 * read-ahead) come at once and say little of the parsing rate
 */
export const IMPORT_ETA_AFTER_MS = 200;

/** the time left at the rate so far; undefined before anything is done */
export function etaSeconds(done: number, total: number, elapsedMs: number): number | undefined {
  if (!(done > 0) || !(elapsedMs > 0) || total <= 0) return undefined;
  return (elapsedMs / 1000) * Math.max(0, total - done) / done;
}

function percent(done: number, total: number): string {
  return `${Math.min(100, Math.floor((100 * done) / total))}%`;
}

function eta(done: number, total: number, elapsedMs: number): string {
  const left = etaSeconds(done, total, elapsedMs);
  return left === undefined ? '' : `, ETA ${fmtEta(left)}`;
}

/**
 * "import 42% 12.3 MB/29.1 MB, ETA 3 s": bytes of the input read so far (compressed bytes for a
 * gzip file) of its size on disk; without a size (standard input), "import 12.3 MB read".
 */
export function formatImportProgress(doneBytes: number, totalBytes: number | undefined, elapsedMs: number): string {
  if (totalBytes === undefined || totalBytes <= 0) return `import ${fmtBytes(doneBytes)} read`;
  const done = Math.min(doneBytes, totalBytes);
  return `import ${percent(done, totalBytes)} ${fmtBytes(done)}/${fmtBytes(totalBytes)}${elapsedMs >= IMPORT_ETA_AFTER_MS ? eta(done, totalBytes, elapsedMs) : ''}`;
}

/** Where each strategy of a replay is: ops done of `opsEach`, -1 = not started yet. */
export interface ReplayProgress {
  strategies: string[];
  done: ArrayLike<number>;
  opsEach: number;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * One strategy: "replay range-lock 42% 2,466/5,872 ops, ETA 1 s". Several: the ops of all of them,
 * then the strategies finished and the percent of each one running,
 * "replay 38% 33,451/88,080 ops, ETA 3 s; 5/15 strategies done; running: i-mutex 42%, range-lock 10%".
 */
export function formatReplayProgress(p: ReplayProgress, elapsedMs: number): string {
  // (a user module names its strategy: its control characters, an ESC sequence, reach no terminal)
  const names = p.strategies.map(terminalSafe);
  const n = names.length;
  const each = Math.max(1, p.opsEach);
  let done = 0;
  let finished = 0;
  const running: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = Math.min(p.done[i], each);
    if (d < 0) continue;
    done += d;
    if (d >= each) finished++;
    else running.push(`${names[i]} ${percent(d, each)}`);
  }
  const total = each * n;
  if (n === 1) return `replay ${names[0]} ${percent(done, total)} ${count(done)}/${count(total)} ops${eta(done, total, elapsedMs)}`;
  return `replay ${percent(done, total)} ${count(done)}/${count(total)} ops${eta(done, total, elapsedMs)}; ${finished}/${n} strategies done${running.length > 0 ? `; running: ${running.join(', ')}` : ''}`;
}

/**
 * Whether to draw progress: on a terminal (stderr), not with --json, not in CI, and not on a
 * terminal that cannot redraw a line in place (TERM=dumb: no \r and erase-line).
 */
export function progressWanted(json: boolean, stderrIsTty: boolean, env: Record<string, string | undefined>): boolean {
  return !json && stderrIsTty && !env.CI && env.TERM !== 'dumb';
}

/** the narrowest terminal a progress line is drawn on */
export const MIN_COLUMNS = 16;

/** What Progress writes to: stderr, or a stand-in in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
}

/**
 * Draws one line in place. A phase (import, replay) starts its clock with `start`; `update` redraws
 * when the whole percent changed, or at least every `refreshMs` (the ETA moves), never more often
 * than every `minMs`; `done` clears the line.
 */
export class Progress {
  private startMs = 0;
  private lastMs = -Infinity;
  private lastPercent = -1;
  private shown = false;
  /** clears the line if the process is interrupted while it is shown */
  private forgetInterrupt: (() => void) | undefined;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly refreshMs: number;
  private readonly minMs: number;

  constructor(private readonly enabled: boolean, options: { stream?: ProgressStream; now?: () => number; refreshMs?: number; minMs?: number } = {}) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.refreshMs = options.refreshMs ?? 500;
    this.minMs = options.minMs ?? 20;
    this.startMs = this.now();
  }

  /** a new phase: its clock starts now */
  start(): void {
    this.startMs = this.now();
    this.lastMs = -Infinity;
    this.lastPercent = -1;
  }

  /** `fraction` done (undefined when unknown); `line` makes the text from the time elapsed */
  update(fraction: number | undefined, line: (elapsedMs: number) => string): void {
    if (!this.enabled) return;
    const now = this.now();
    const pct = fraction === undefined ? -1 : Math.floor(fraction * 100);
    const since = now - this.lastMs;
    if (since < this.minMs) return;
    if (pct === this.lastPercent && since < this.refreshMs) return;
    this.lastMs = now;
    this.lastPercent = pct;
    let text = line(now - this.startMs);
    const width = this.stream.columns;
    // (a terminal too narrow for a useful line gets none: a wrapped line is not redrawn in place)
    // (0: a terminal that does not say its size)
    if (width !== undefined && width > 0 && width < MIN_COLUMNS) return;
    if (width !== undefined && width > 0 && text.length > width - 1) text = `${text.slice(0, width - 2)}…`;
    this.stream.write(`\r${text}\x1b[K`);
    if (!this.shown) this.forgetInterrupt = onInterrupt(() => this.done(), { cosmetic: true });
    this.shown = true;
  }

  /** import progress: bytes read of the input's size */
  importBytes(doneBytes: number, totalBytes: number | undefined): void {
    this.update(totalBytes === undefined || totalBytes <= 0 ? undefined : doneBytes / totalBytes, (ms) => formatImportProgress(doneBytes, totalBytes, ms));
  }

  /** replay progress: ops done per strategy */
  replay(p: ReplayProgress): void {
    if (!this.enabled) return;
    let done = 0;
    for (let i = 0; i < p.strategies.length; i++) done += Math.max(0, Math.min(p.done[i], p.opsEach));
    const total = Math.max(1, p.opsEach) * p.strategies.length;
    this.update(done / total, (ms) => formatReplayProgress(p, ms));
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
    this.forgetInterrupt?.();
    this.forgetInterrupt = undefined;
  }
}
