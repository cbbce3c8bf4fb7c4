import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareContention } from '../src/fidelity/contention.js';
import { fidelity } from '../src/fidelity/index.js';
import { measureWakeLatency } from '../src/fidelity/wake-latency.js';
import { taskWakeLatency } from '../src/fidelity/task-wakes.js';
import { loadTrace } from '../src/import/index.js';
import { loadForReplay, replayStrategies } from '../src/replay/index.js';
import { MODELLED_WAIT_CLASSES } from '../src/replay/observed-waits.js';
import { createStrategy } from '../src/strategies/index.js';
import { formatReplay } from '../src/report/table.js';
import type { Op } from '../src/model/op.js';
import { cli, fioJobs, trace } from './helpers.js';

/** the trace's lines, for counts made independently of the importer */
function lines(name: string): string[] {
  return gunzipSync(readFileSync(trace(name))).toString('latin1').split('\n');
}

/** fio's mix on one file: its writes, direct reads and punches one to one, its mmap reads as at most as many faults */
function expectFioCounts(ops: { file: string; kind: string }[], file: string, fio: ReturnType<typeof fioJobs>): void {
  const on = (kind: string): number => ops.filter((o) => o.file === file && o.kind === kind).length;
  expect(on('write')).toBe(fio.bufwrite.write);
  expect(on('dio-read')).toBe(fio.dioread.read);
  expect(on('punch')).toBe(fio.punch.trim);
  expect(on('fault-read')).toBeGreaterThan(0.9 * fio.mmapread.read);
  expect(on('fault-read')).toBeLessThanOrEqual(fio.mmapread.read);
}

/** contended-mixed.fio's jobs on one file: writes, direct reads and punches one to one, mmap reads as at most as many faults */
function expectMixCounts(ops: { file: string; kind: string }[], name: string, file: string): void {
  const fio = JSON.parse(readFileSync(trace(`${name}.fio.json`), 'utf8')) as { jobs: { jobname: string; read: { total_ios: number }; write: { total_ios: number }; trim: { total_ios: number } }[] };
  const ios = (job: string, dir: 'read' | 'write' | 'trim'): number => fio.jobs.filter((j) => j.jobname === job).reduce((a, j) => a + j[dir].total_ios, 0);
  const on = (kind: string): number => ops.filter((o) => o.file === file && o.kind === kind).length;
  expect([on('write'), on('dio-read'), on('punch')]).toEqual([ios('bw', 'write'), ios('dr', 'read'), ios('punch', 'trim')]);
  expect(on('fault-read')).toBeGreaterThan(0.9 * ios('mmapread', 'read'));
  expect(on('fault-read')).toBeLessThanOrEqual(ios('mmapread', 'read'));
  // fio reads the file only through direct reads and faults: a read() on it would be another file's,
  // reached through an fd number the file had before it was closed and reused
  expect(on('read')).toBe(0);
}

describe('one file, one key (btrfs-mix, recorded with lockreplay record)', () => {
  it('writes, direct reads, faults and punches of fio\'s one file import as one file, with fio\'s counts', async () => {
    const fio = fioJobs('btrfs-mix.fio.json');
    const { ops, summary } = await loadTrace(trace('btrfs-mix.trace.gz'));
    const dio = ops.filter((o) => o.kind === 'dio-read');
    const files = new Set(dio.map((o) => o.file));
    expect(files.size).toBe(1);
    const file = [...files][0];
    // the device of btrfs's iomap events (a numeric device, not the bdi name, not an fd)
    expect(file).toMatch(/^0:\d+:\d+$/);
    expectFioCounts(ops, file, fio);
    // nothing of the workload (4 KiB writes, direct reads, faults, punches: no read()) is left under
    // the device name or an fd (fio's read of its job file at EOF, 4 KiB asked, stays under its fd)
    const workload = (o: Op): boolean => o.lengthBytes === 4096 && o.comm === 'fio' && o.kind !== 'read';
    expect(ops.filter((o) => workload(o) && (o.file.startsWith('fd:') || o.file.startsWith('btrfs-')))).toEqual([]);
    expect(summary.lines.used + Object.values(summary.lines.skipped).reduce((a, b) => a + b, 0) + summary.lines.bad).toBe(summary.lines.total);
  });

  it('the issue\'s capture (no identity comments): the punches\' fd is tied to the file by the inode lock its fallocates wait on', async () => {
    const fio = fioJobs('btrfs-mix-issue.fio.json');
    const { ops, summary } = await loadTrace(trace('btrfs-mix-issue.trace.gz'));
    const file = ops.find((o) => o.kind === 'dio-read')?.file as string;
    expect(file).toBe('0:38:257');
    expectFioCounts(ops, file, fio);
    expect(ops.filter((o) => o.kind === 'punch' && o.file !== file)).toEqual([]);
    expect(summary.notes.some((n) => /^1 fds were identified by a lock they waited on/.test(n))).toBe(true);
  });

  it('an op stream made by import --out replays the same ops (the footer renames ops released before their file was known)', () => {
    const direct = cli(['replay', trace('btrfs-mix.trace.gz'), '--strategy', 'none', '--json']);
    expect(direct.code).toBe(0);
    const out = join(mkdtempSync(join(tmpdir(), 'lockreplay-btrfs-')), 'btrfs-mix.ops');
    expect(cli(['import', trace('btrfs-mix.trace.gz'), '--out', out]).code).toBe(0);
    const viaStream = cli(['replay', out, '--strategy', 'none', '--json']);
    expect(viaStream.code).toBe(0);
    expect(JSON.parse(viaStream.stdout).input.opsDigest).toBe(JSON.parse(direct.stdout).input.opsDigest);
  });
});

describe('the kernel\'s own lock waits', () => {
  const name = 'xfs-contended-writers.trace.gz';

  it('every paired contention_begin/end becomes one wait, classed by the task\'s preceding xfs_ilock', async () => {
    const text = lines(name);
    const begins = text.filter((l) => l.includes(' contention_begin: ')).length;
    const ends = text.filter((l) => l.includes(' contention_end: ')).length;
    const { locks, summary } = await loadTrace(trace(name));
    const waits = locks.filter((l) => l.event === 'contention');
    const unfinished = summary.lines.skipped['contention-unfinished'] ?? 0;
    const orphanEnds = summary.lines.skipped['contention-end-without-begin'] ?? 0;
    expect(waits.length).toBe(begins - unfinished);
    expect(waits.length).toBe(ends - orphanEnds);
    expect(waits.every((w) => (w.waitNs ?? -1) >= 0)).toBe(true);
    const classes = new Set(waits.map((w) => w.caller));
    expect(classes.has('IOLOCK')).toBe(true);
    // an IOLOCK wait is on the file the workload used, with an rwsem's flags
    const io = waits.filter((w) => w.caller === 'IOLOCK');
    expect(new Set(io.map((w) => w.target)).size).toBe(1);
    expect(io.every((w) => /^(READ|WRITE)$/.test(w.mode))).toBe(true);
    expect(waits.filter((w) => w.mode.split('|').includes('SPIN')).every((w) => w.caller === 'spinlock')).toBe(true);
  });

  it('an IOLOCK/MMAPLOCK wait carries the spin before it: from the task\'s xfs_ilock call (or its previous wait\'s end) to contention_begin', async () => {
    const { locks } = await loadTrace(trace(name));
    const waits = locks.filter((l) => l.event === 'contention');
    // from the text: at each contention_begin, the task's last xfs_ilock, mm_filemap_fault or contention_end
    const lastCall = new Map<string, number>();
    const spinAtBegin = new Map<string, number>();
    for (const l of lines(name)) {
      const m = /^\s*.+?-(\d+)\s+(?:\(.*?\)\s+)?\[\d+\]\s+\S+\s+([\d.]+): (xfs_ilock|mm_filemap_fault|contention_begin|contention_end):/.exec(l);
      if (m === null) continue;
      const [, pid, ts, ev] = m;
      const ns = Math.round(Number(ts) * 1e9);
      if (ev === 'contention_begin') spinAtBegin.set(`${pid}@${ns}`, ns - (lastCall.get(pid) ?? ns));
      else lastCall.set(pid, ns);
    }
    const io = waits.filter((w) => w.caller === 'IOLOCK' || w.caller === 'MMAPLOCK');
    expect(io.length).toBeGreaterThan(200);
    expect(io.every((w) => w.spinNs === undefined || w.spinNs >= 0)).toBe(true);
    expect(waits.filter((w) => w.caller !== 'IOLOCK' && w.caller !== 'MMAPLOCK').every((w) => w.spinNs === undefined)).toBe(true);
    // exclusive waits spin on the readers up to rwsem_rspin_threshold, (20 + 1) / 2 µs for one, first
    const spins = io.filter((w) => w.mode === 'WRITE').map((w) => w.spinNs ?? 0).sort((a, b) => a - b);
    const p50 = spins[spins.length >> 1];
    expect(p50).toBeGreaterThanOrEqual(5_000);
    expect(p50).toBeLessThanOrEqual(20_000);
    // each record's spin is the text's
    for (const w of io) expect(w.spinNs ?? 0, `line ${w.line}`).toBe(spinAtBegin.get(`${w.pid}@${w.tsNs - (w.waitNs as number)}`));
  });

  it('replay removes the waits on modelled locks from the service times, and says how much; --keep-observed-waits keeps them', async () => {
    const t = await loadForReplay(trace(name));
    const removed = replayStrategies(t, ['none'], {});
    const kept = replayStrategies(t, ['none'], { keepObservedWaits: true });
    const w = removed.serviceTime.observedWaits;
    const modelled = (t.waits ?? []).filter((x) => MODELLED_WAIT_CLASSES.has(x.caller));
    expect(w.waits).toBe((t.waits ?? []).length);
    expect(w.removedNs).toBeGreaterThan(0);
    // the waits, and the recorded kernel's optimistic spin before each
    expect(w.spinNs).toBeGreaterThan(0);
    expect(w.removedNs - (w.spinNs as number)).toBeLessThanOrEqual(modelled.reduce((a, x) => a + (x.waitNs ?? 0), 0));
    expect(w.spinNs as number).toBeLessThanOrEqual(modelled.reduce((a, x) => a + (x.spinNs ?? 0), 0));
    expect(Object.values(w.byKind).reduce((a, k) => a + k.removedNs, 0)).toBe(w.removedNs);
    expect(formatReplay(kept)).not.toMatch(/spinning before the waits/);
    expect(formatReplay(removed)).toMatch(/removed from service times \(\d+(\.\d+)?[µm]s of it spinning before the waits\)/);
    expect(kept.serviceTime.observedWaits).toMatchObject({ kept: true, removedNs: 0 });
    expect(removed.options.keepObservedWaits).toBe(false);
    expect(kept.options.keepObservedWaits).toBe(true);
    // the lower bound no longer inherits the recorded kernel's contention
    expect(removed.results[0].all.latency.mean).toBeLessThan(kept.results[0].all.latency.mean);
  });

  it('fidelity shows observed and predicted contended acquisitions side by side, per lock class and op kind', async () => {
    const { ops, locks, summary } = await loadTrace(trace(name), { keepLocks: true });
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1);
    expect(r.contention.source).toBe('contention-events');
    const rows = r.contention.rows;
    expect(rows.length).toBeGreaterThan(0);
    const dio = rows.find((x) => x.lockClass === 'IOLOCK' && x.kind === 'dio-write');
    expect(dio?.observed.count).toBeGreaterThan(50);
    expect(dio?.predicted.count).toBeGreaterThan(0);
    for (const x of rows) {
      expect(x.observed.p50Ns).toBeLessThanOrEqual(x.observed.p99Ns);
      if (x.observed.count > 0) expect(x.countRatio).toBeCloseTo(x.predicted.count / x.observed.count, 2);
    }
    // the observed rows add up to the modelled-class waits inside ops
    const attributed = rows.reduce((a, x) => a + x.observed.count, 0);
    expect(attributed).toBeLessThanOrEqual(locks.filter((l) => l.event === 'contention' && MODELLED_WAIT_CLASSES.has(l.caller)).length);
    const text = cli(['fidelity', trace(name)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/contended acquisitions: the kernel's \(\d+ lock:contention_\* waits in the trace\) beside a closed-mode replay under linux:xfs/);
    expect(text.stdout).toMatch(/IOLOCK\s+dio-write\s+\d+\s+\d+/);
  }, 60_000);

  it('fidelity on a capture of another filesystem (btrfs: no xfs_ilock events) compares mmap_lock and the inode lock (i_rwsem, classed IOLOCK by where its waits are), not MMAPLOCK', async () => {
    const { ops, locks, summary } = await loadTrace(trace('btrfs-mix.trace.gz'), { keepLocks: true });
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1);
    expect(r.contention.source).toBe('contention-events');
    expect(new Set(r.contention.rows.map((x) => x.lockClass))).toEqual(new Set(['IOLOCK', 'mmap_lock']));
    // every IOLOCK row has waits the kernel had: the rows compare classed waits, not a prediction with nothing beside it
    for (const x of r.contention.rows.filter((y) => y.lockClass === 'IOLOCK')) expect(x.observed.count).toBeGreaterThan(0);
    const unclassed = locks.filter((l) => l.event === 'contention' && l.caller === 'unknown' && /(^|\|)(READ|WRITE)(\||$)/.test(l.mode)).length;
    const inodeLock = locks.filter((l) => l.event === 'contention' && l.caller === 'IOLOCK').length;
    expect(inodeLock).toBeGreaterThan(100);
    expect(r.notes).toContain(`contention: without xfs_ilock events ${inodeLock} of the kernel's waits are classed IOLOCK (the inode's i_rwsem: the first lock of a write or a direct read, which it waits for before any filesystem event, and waits inside syscalls on that lock once so named) and compared with the strategy's IOLOCK / i_rwsem; MMAPLOCK is not compared (${unclassed} rwsem waits are of no known class)`);
  }, 60_000);

  it('fidelity on ext4 (no xfs_ilock events): the inode lock\'s waits are compared (IOLOCK rows); the read faults\' waits on the invalidate lock (classed MMAPLOCK by their mm_filemap_fault) are not, since the other waits on that lock have no class', async () => {
    const { ops, locks, summary } = await loadTrace(trace('ext4-contended-mixed.trace.gz'), { keepLocks: true });
    // the capture has such waits: a read fault's, right after its mm_filemap_fault, on the 7:0:12 file
    const faultWaits = locks.filter((l) => l.event === 'contention' && l.caller === 'MMAPLOCK');
    expect(faultWaits.length).toBe(2);
    expect(new Set(faultWaits.map((l) => l.target))).toEqual(new Set(['7:0:12']));
    const r = fidelity(ops, locks, createStrategy('linux:ext4'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    expect(r.xfsFiles).toEqual([]);
    expect(r.contention.source).toBe('contention-events');
    expect(new Set(r.contention.rows.map((x) => x.lockClass))).toEqual(new Set(['IOLOCK', 'mmap_lock']));
    // the kernel's i_rwsem waits as ground truth on ext4: linux:ext4 in open mode (the capture is
    // rate-limited) predicts each kind's count within 30% and mean within 1.5x (measured: 0.92 / 0.98
    // dio-read, 0.71 / 0.95 punch, 1.27 / 0.87 write; the targets are for XFS captures)
    const rows = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK');
    expect(rows.map((x) => [x.kind, x.observed.count])).toEqual([['dio-read', 211], ['punch', 52], ['write', 161]]);
    for (const x of rows) {
      expect(x.countRatio as number).toBeGreaterThanOrEqual(0.7);
      expect(x.countRatio as number).toBeLessThanOrEqual(1.3);
      expect(x.meanRatio as number).toBeGreaterThanOrEqual(1 / 1.5);
      expect(x.meanRatio as number).toBeLessThanOrEqual(1.5);
    }
    expect(r.notes.some((n) => n.startsWith('contention: without xfs_ilock events 424 of the kernel\'s waits are classed IOLOCK'))).toBe(true);
  }, 60_000);

  it('linux:xfs predicts the kernel\'s contended IOLOCK acquisitions within ±30% in count and 1.5x in mean wait (kinds with 50+ observed)', async () => {
    const { ops, locks, summary } = await loadTrace(trace(name), { keepLocks: true });
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1);
    // the wake-up latency is the capture's own: release → wait-end gaps of the waits granted on
    // release (the shared waiters: aligned direct writes take IOLOCK shared)
    expect(r.contention.wakeLatency).toMatchObject({ source: 'trace', waiters: 'readers', samples: 129, p50Ns: 4000 });
    const target = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    expect(target.map((x) => x.kind)).toEqual(['dio-write', 'punch']);
    for (const x of target) {
      expect(x.countRatio as number).toBeGreaterThanOrEqual(0.7);
      expect(x.countRatio as number).toBeLessThanOrEqual(1.3);
      expect(x.meanRatio as number).toBeGreaterThanOrEqual(1 / 1.5);
      expect(x.meanRatio as number).toBeLessThanOrEqual(1.5);
    }
    // without the latency, or with a strict-queue rwsem, the prediction is several times off
    const none = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'none');
    expect(none.contention.wakeLatency.source).toBe('none');
    expect(none.contention.rows.find((x) => x.lockClass === 'IOLOCK' && x.kind === 'dio-write')?.countRatio as number).toBeGreaterThan(1.5);
    const fifo = fidelity(ops, locks, createStrategy('linux:xfs:rwsem=fifo'), summary.input, summary.cpus ?? 1);
    expect(fifo.contention.rows.find((x) => x.lockClass === 'IOLOCK' && x.kind === 'dio-write')?.countRatio as number).toBeGreaterThan(2);
  }, 60_000);

  it('on the issue\'s xfs-contended-small capture the IOLOCK rows meet the targets too', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-small-issue.trace.gz'), { keepLocks: true });
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1);
    const target = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    expect(target.map((x) => [x.kind, x.observed.count])).toEqual([['dio-read', 635], ['write', 551]]);
    for (const x of target) {
      expect(x.countRatio as number).toBeGreaterThanOrEqual(0.7);
      expect(x.countRatio as number).toBeLessThanOrEqual(1.3);
      expect(x.meanRatio as number).toBeGreaterThanOrEqual(1 / 1.5);
      expect(x.meanRatio as number).toBeLessThanOrEqual(1.5);
    }
  }, 60_000);

  const within = (x: { countRatio: number | null; meanRatio: number | null }): boolean =>
    (x.countRatio as number) >= 0.7 && (x.countRatio as number) <= 1.3 && (x.meanRatio as number) >= 1 / 1.5 && (x.meanRatio as number) <= 1.5;

  it('a rate-limited capture replayed in open mode (ops at their recorded times): within the targets but for the writes\' count, 1.33x; closed mode is further off', async () => {
    // the mix recorded while other processes kept the machine busy: every task is fio rate_iops
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-mixed.trace.gz'), { keepLocks: true });
    const open = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    expect(open.mode).toBe('open');
    const target = open.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    expect(target.map((x) => [x.kind, x.observed.count])).toEqual([['dio-read', 251], ['punch', 73], ['write', 194]]);
    for (const x of target.filter((t) => t.kind !== 'write')) expect(within(x), `${x.kind} ${x.countRatio} ${x.meanRatio}`).toBe(true);
    // buffered writes: the mean wait is right, the count 1.33x the kernel's (the closing note of
    // issue 16 says what is known); bounded so that it cannot get worse
    const write = target[2];
    expect(write.countRatio as number).toBeLessThanOrEqual(1.4);
    expect(write.meanRatio as number).toBeGreaterThanOrEqual(1 / 1.5);
    expect(write.meanRatio as number).toBeLessThanOrEqual(1.5);
    // closed mode issues each op after its predecessor plus the recorded gap, which a rate limiter
    // shortened after a long op: the ops bunch up, and more contention is predicted (1.45x)
    const closed = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1);
    expect(closed.mode).toBe('closed');
    expect(closed.contention.rows.find((x) => x.lockClass === 'IOLOCK' && x.kind === 'write')?.countRatio as number).toBeGreaterThan(Math.max(1.4, write.countRatio as number));
    const text = cli(['fidelity', trace('xfs-contended-mixed.trace.gz'), '--mode', 'open']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/beside an open-mode replay under linux:xfs \(wake-up latency from the capture: 285 release → wait-end gaps of readers \(granted on release\)/);
  }, 90_000);

  it('--replicates: the same rows, each with its spread over replays whose wake-up latencies come in another order', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-mixed.trace.gz'), { keepLocks: true });
    const one = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open', 4);
    expect(one.contention.replicates).toBeUndefined();
    expect(one.contention.rows.every((x) => x.spread === undefined)).toBe(true);
    expect(r.contention.replicates).toBe(4);
    expect(r.contention.rows.map(({ spread, ...x }) => x)).toEqual(one.contention.rows);
    const target = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    for (const x of target) {
      const c = x.spread?.countRatio;
      expect(x.spread?.replicates).toBe(4);
      expect(c?.min as number).toBeLessThanOrEqual(x.countRatio as number);
      expect(c?.max as number).toBeGreaterThanOrEqual(x.countRatio as number);
    }
    // the order of the wake-up latencies alone moves the predicted counts on this capture
    expect(target.some((x) => (x.spread?.countRatio?.max as number) - (x.spread?.countRatio?.min as number) >= 0.1)).toBe(true);
    const text = cli(['fidelity', trace('xfs-contended-mixed.trace.gz'), '--mode', 'open', '--replicates', '4']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/spread over 4 replays \(the first above; the others with the capture's wake-up latencies in another order\)\n.*count ×.*mean ×\nIOLOCK +dio-read +\d\.\d\d–\d\.\d\dx \(median \d\.\d\dx\)/);
    expect(cli(['fidelity', trace('xfs-contended-mixed.trace.gz'), '--replicates', '0']).code).toBe(2);
  }, 90_000);

  it('the same mix recorded on an idle machine meets the targets in open mode, with the readers\' wake-up latency; with every waiter\'s, direct reads wait too briefly', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-mixed-quiet.trace.gz'), { keepLocks: true });
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    expect(r.contention.wakeLatency).toMatchObject({ waiters: 'readers', samples: 780, p50Ns: 22_000 });
    const target = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    expect(target.map((x) => [x.kind, x.observed.count])).toEqual([['dio-read', 781], ['punch', 109], ['write', 1436]]);
    for (const x of target) expect(within(x), `${x.kind} ${x.countRatio} ${x.meanRatio}`).toBe(true);
    // the writers' gaps are the races they won (p50 4 µs): a woken writer replayed with them wins
    // races the kernel's lost, and the direct reads queued behind it wait half as long as they did
    const all = compareContention(ops, locks.filter((l) => l.event === 'contention'), createStrategy('linux:xfs'), summary.cpus ?? 1, measureWakeLatency(locks, 'all').samplesNs, 'open', locks).rows;
    const dio = all.find((x) => x.lockClass === 'IOLOCK' && x.kind === 'dio-read');
    expect(dio?.meanRatio as number).toBeLessThan(0.6);
  }, 90_000);

  it('the mix recorded by the recorder that keeps off the CPUs: fio\'s counts one to one, the open-file scans among the events, the prediction within the targets', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-mixed-deferred.trace.gz'), { keepLocks: true });
    expectMixCounts(ops, 'xfs-contended-mixed-deferred', '7:0:133');
    // the recorder read the ring buffer after the workload: its open-file scans are trace_marker lines
    const all = lines('xfs-contended-mixed-deferred.trace.gz');
    const markers = all.filter((l) => / tracing_mark_write: lockreplay fd: /.test(l)).length;
    expect(markers).toBeGreaterThan(0);
    expect(all.some((l) => l.startsWith('# lockreplay fd:'))).toBe(false);
    expect(summary.lines.skipped['file-identity-comment']).toBe(markers + all.filter((l) => /^# lockreplay (mount|bdi):/.test(l)).length);
    // only the read fio's parent process had open for the whole capture is released without its exit
    expect(summary.lines.skipped['exit-of-syscall-released-early'] ?? 0).toBe(0);
    expect(summary.notes).toContain('1 syscalls stayed open so long that they were released before their exit (length as requested, duration modelled)');
    // the prediction: every op kind within the targets
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    const target = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    expect(target.map((x) => [x.kind, x.observed.count])).toEqual([['dio-read', 712], ['punch', 96], ['write', 863]]);
    for (const x of target) expect(within(x), `${x.kind} ${x.countRatio} ${x.meanRatio}`).toBe(true);
  }, 90_000);

  it('the mix recorded with the scheduler\'s wake-ups: each waiter\'s wake replayed with its own task\'s latency brings the punches\' waits within the targets', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-mixed-sched.trace.gz'), { keepLocks: true });
    expectMixCounts(ops, 'xfs-contended-mixed-sched', '7:0:135');
    // the recorder kept the sched events to fio's tasks: every wakeup wakes fio, every switch is from or to it
    const all = lines('xfs-contended-mixed-sched.trace.gz');
    const wakeups = all.filter((l) => / sched_wakeup: /.test(l));
    const switches = all.filter((l) => / sched_switch: /.test(l));
    expect(wakeups.length).toBeGreaterThan(5000);
    expect(wakeups.every((l) => / sched_wakeup: comm=fio pid=/.test(l))).toBe(true);
    expect(switches.every((l) => /prev_comm=fio |next_comm=fio /.test(l))).toBe(true);
    // wakes and sleeps are counted apart from the lock events
    const wakes = locks.filter((l) => l.event === 'sched-wake');
    const sleeps = locks.filter((l) => l.event === 'sched-sleep');
    expect([summary.schedWakes, summary.schedSleeps, summary.observedLocks]).toEqual([wakes.length, sleeps.length, locks.length - wakes.length - sleeps.length]);
    // a sleep for every switch away from a fio task in a state other than R that its next switch-in,
    // or else its next line of any kind, ends (a line in a task's context shows it running)
    const out = new Set<number>();
    let ended = 0;
    let bySwitch = 0;
    for (const l of all) {
      const ctx = /^\s*.+?-(\d+)\s+\(/.exec(l);
      if (ctx === null || !/\d: \w/.test(l)) continue;
      if (Number(ctx[1]) !== 0 && out.delete(Number(ctx[1]))) ended++;
      const m = /sched_switch: .*prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=.* next_pid=(\d+) /.exec(l);
      if (m === null) continue;
      if (out.delete(Number(m[3]))) {
        ended++;
        bySwitch++;
      }
      if (!m[2].startsWith('R')) out.add(Number(m[1]));
    }
    expect(sleeps.length).toBe(ended);
    // (about one switch-in from the idle task in five is missing from this capture)
    expect(bySwitch).toBeGreaterThan(5000);
    expect(ended - bySwitch).toBeGreaterThan(1000);
    // fidelity replays the wakes inside lock waits per task; every IOLOCK kind within the targets
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    // the kernel's xfs_ilock events agree with every op (9 small reads of other files took the data
    // file's key through a reused fd number before fd lifetimes were followed)
    expect(r.disagreements.count).toBe(0);
    expect(r.contention.wakeLatency.taskWakes).toEqual({ wakes: 2517, tasks: 6, p50Ns: 13_000, p90Ns: 70_000, meanNs: 32_183 });
    const target = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    expect(target.map((x) => [x.kind, x.observed.count])).toEqual([['dio-read', 1026], ['punch', 117], ['write', 1253]]);
    for (const x of target) expect(within(x), `${x.kind} ${x.countRatio} ${x.meanRatio}`).toBe(true);
    // with the pooled readers' gaps for every task instead, the punches wait 1.8x as long as the kernel's did
    const pooled = compareContention(ops, locks.filter((l) => l.event === 'contention'), createStrategy('linux:xfs'), summary.cpus ?? 1, measureWakeLatency(locks).samplesNs, 'open', locks).rows;
    expect(pooled.find((x) => x.lockClass === 'IOLOCK' && x.kind === 'punch')?.meanRatio as number).toBeGreaterThan(1.5);
    const text = cli(['fidelity', trace('xfs-contended-mixed-sched.trace.gz'), '--mode', 'open']);
    expect(text.stdout).toMatch(/; 2517 wakes of 6 tasks from sched events replayed per task \(p50 13\.0µs, p90 70\.0µs, mean 32\.2µs\)\)/);
  }, 90_000);

  it('the mix recorded while four CPU-bound loops kept both CPUs busy: every IOLOCK row within the targets; the recorded kernel\'s spin before each wait leaves the service times with the wait (left in, it lengthens the waits behind the writers)', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-mixed-busy.trace.gz'), { keepLocks: true });
    expectMixCounts(ops, 'xfs-contended-mixed-busy', '7:0:131');
    expect([summary.schedWakes, summary.schedSleeps]).toEqual([6048, 7267]);
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    expect(r.notes).toContain('11695 ops\' own time asleep (the capture\'s sched_switch events: their IO, page and log waits) was replayed off the CPUs, the rest of their time on a CPU');
    const target = r.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    expect(target.map((x) => [x.kind, x.observed.count])).toEqual([['dio-read', 382], ['punch', 112], ['write', 547]]);
    for (const x of target) expect(within(x), `${x.kind} ${x.countRatio} ${x.meanRatio}`).toBe(true);
    // the spins left in: about 11 µs of a writer's hold time (5.4 ms over the 546 contended writes,
    // 13 ms over the punches) replayed as work under the lock, on top of the replay's own spinning:
    // the waits behind the writers get longer (mean 1.27x of the kernel's against 1.11x). (Before a
    // direct IO pinned its buffer after its flush, the direct reads' count went to 1.48x with them.)
    const noSpin = locks.map((l) => (l.spinNs === undefined ? l : { ...l, spinNs: undefined }));
    const kept = compareContention(ops, noSpin.filter((l) => l.event === 'contention'), createStrategy('linux:xfs'), summary.cpus ?? 1, measureWakeLatency(locks).samplesNs, 'open', noSpin, taskWakeLatency(locks).byPid);
    const writes = (rows: typeof kept.rows): number => rows.find((x) => x.lockClass === 'IOLOCK' && x.kind === 'write')?.meanRatio as number;
    expect(writes(kept.rows)).toBeGreaterThan(writes(target) + 0.1);
    // with each kind's rule instead of the measured time asleep (a direct read asleep throughout,
    // everything else on a CPU): within the targets too
    const byKind = compareContention(ops, locks.filter((l) => l.event === 'contention'), createStrategy('linux:xfs'), summary.cpus ?? 1, measureWakeLatency(locks).samplesNs, 'open', locks.filter((l) => l.event !== 'sched-sleep'), taskWakeLatency(locks).byPid);
    expect(byKind.offCpuOps).toBe(0);
    for (const x of byKind.rows.filter((t) => t.lockClass === 'IOLOCK' && t.observed.count >= 50)) expect(within(x), `${x.kind} ${x.countRatio} ${x.meanRatio}`).toBe(true);
  }, 90_000);

  it('--anchor: replays re-anchored to the recorded times every 100 ms, each row beside the whole run\'s (the busy capture\'s direct reads: 1.05x whole, 0.99x anchored); whole-run rows unchanged', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-contended-mixed-busy.trace.gz'), { keepLocks: true });
    const whole = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open');
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, summary.cpus ?? 1, 'trace', 'open', 1, 100_000_000);
    expect(r.contention.rows).toEqual(whole.contention.rows);
    expect(whole.contention.anchored).toBeUndefined();
    expect(r.contention.anchored?.windowNs).toBe(100_000_000);
    const rows = (r.contention.anchored?.rows ?? []).filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50);
    // the observed side is the same; every kind within the targets
    expect(rows.map((x) => [x.kind, x.observed])).toEqual(whole.contention.rows.filter((x) => x.lockClass === 'IOLOCK' && x.observed.count >= 50).map((x) => [x.kind, x.observed]));
    for (const x of rows) expect(within(x), `${x.kind} ${x.countRatio} ${x.meanRatio}`).toBe(true);
    expect(rows[0].countRatio as number).toBeGreaterThan(0.95);
    expect(rows[0].countRatio as number).toBeLessThan(1.05);
    const text = cli(['fidelity', trace('xfs-contended-mixed-busy.trace.gz'), '--mode', 'open', '--anchor', '100']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/re-anchored every 100\.00ms: each window replayed from the recorded times.*\n.*count ×.*mean ×\nIOLOCK +dio-read +382 +\d+ +0\.\d\dx/);
    // closed mode, and windows that are no number of milliseconds, are refused before the trace is read
    expect(cli(['fidelity', trace('xfs-contended-mixed-busy.trace.gz'), '--anchor', '100']).code).toBe(2);
    for (const bad of ['0', '-5', 'x', '']) expect(cli(['fidelity', 'no-such-file', '--mode', 'open', '--anchor', bad]).code, bad).toBe(2);
  }, 120_000);

  it('a trace without contention events says so, and fidelity falls back to the upper bound', async () => {
    const { ops, locks, summary } = await loadTrace(trace('xfs-mix.trace.gz'), { keepLocks: true });
    const r = fidelity(ops, locks, createStrategy('linux:xfs'), summary.input, 2);
    expect(r.contention).toEqual({ source: 'none', observedWaits: 0, wakeLatency: { source: 'none', waiters: 'none', samples: 0, p50Ns: 0, p90Ns: 0, meanNs: 0 }, rows: [] });
    expect(r.notes.join('\n')).toMatch(/no lock:contention_begin\/end events/);
  });
});

describe('classifying a wait by the task\'s latest lock call', () => {
  it('an mmap_lock started after an xfs_ilock names the wait; an unlock leaves nothing to wait for', async () => {
    const { ContentionTracker } = await import('../src/import/contention.js');
    const t = new ContentionTracker();
    t.ilock(1, 'IOLOCK_SHARED', '7:0:133', 90);
    t.mmap(1, 'abc');
    t.begin(1, 100, '00000000aaaa0001 (flags=READ)', 3);
    expect(t.end(1, 'fio', 150, '00000000aaaa0001 (ret=0)')).toMatchObject({ caller: 'mmap_lock', target: 'mm:abc', waitNs: 50 });
    t.mmap(1, '');
    t.ilock(1, 'IOLOCK_EXCL', '7:0:133', 190);
    t.other(1);
    t.begin(1, 200, '00000000aaaa0002 (flags=WRITE)', 6);
    expect(t.end(1, 'fio', 210, '00000000aaaa0002 (ret=0)')).toMatchObject({ caller: 'unknown', target: 'lock:00000000aaaa0002' });
  });
});

describe('the verdict when only none is safe', () => {
  it('says so instead of "no strategy"', async () => {
    const { verdictOf } = await import('../src/model/verdict.js');
    const t = await loadForReplay(trace('xfs-mix.trace.gz'));
    const r = replayStrategies(t, ['none'], {});
    const v = verdictOf(r.results, (s) => s.strategy);
    expect(v.safe).toEqual(['none']);
    expect(v.text).toBe('only none (no locking) ran without races or deadlock.');
  });
});
