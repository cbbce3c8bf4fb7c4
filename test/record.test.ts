import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { effectiveBufferKb, sameBufferKb, snapshot, Tracefs } from '../src/record/tracefs.js';
import { DEFAULT_EVENTS } from '../src/record/recorder.js';
import { maxBufferKbPerCpu, refuseBufferKbAboveMemory } from '../src/record/buffer-limit.js';
import { cli, ROOT } from './helpers.js';

/** Real captures need root and tracefs; elsewhere these tests are skipped with the reason printed. */
function tracefsOrReason(): Tracefs | string {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    return Tracefs.open();
  } catch (err) {
    return (err as Error).message;
  }
}
const fs = tracefsOrReason();
if (typeof fs === 'string') console.log(`record tests skipped: ${fs}`);
afterAll(() => {
  if (typeof fs !== 'string') fs.unmountIfOurs();
});
const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-record-'));
const LOCK_FILE = '/run/lockreplay-record.lock';

/** `lockreplay record ARGS` as a child process, with its stderr collected */
function recordChild(args: string[]): { child: ReturnType<typeof spawn>; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'record', ...args], { stdio: 'pipe', cwd: tmp });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { child, stderr: () => stderr, exited };
}

async function waitUntil(ok: () => boolean, what: string, timeoutMs = 30_000, detail?: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${detail === undefined ? "" : `: ${detail()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** the temporary files a capture to `out` makes beside it (.OUT.PID.spool, .OUT.PID.tmp) */
function temporariesOf(out: string): string[] {
  return readdirSync(tmp).filter((f) => f.startsWith(`.${out.split('/').pop()}.`));
}

describe.skipIf(typeof fs === 'string')('lockreplay record (real tracefs)', () => {
  const tracefs = fs as Tracefs;
  const state = () => {
    const s = snapshot(tracefs, DEFAULT_EVENTS);
    return { ...s, setEvent: s.setEvent.split('\n').filter((l) => l !== '').sort() };
  };
  /** tracefs as it was: every setting the same, the ring buffer's size to the kernel's rounding */
  const expectStateAsBefore = (before: ReturnType<typeof state>): void => {
    const now = state();
    expect(sameBufferKb(now.bufferSizeKb, before.bufferSizeKb), `${now.bufferSizeKb} KB after, ${before.bufferSizeKb} KB before`).toBe(true);
    expect({ ...now, bufferSizeKb: before.bufferSizeKb }).toEqual(before);
  };

  it('records a dd workload; the import counts what dd did; tracefs is left as it was', () => {
    const before = state();
    const out = join(tmp, 'dd.trace.gz');
    const r = cli(['record', '--out', out, '--', 'dd', 'if=/dev/zero', `of=${join(tmp, 'dd.out')}`, 'bs=4096', 'count=64', 'conv=fsync']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/command dd .* exited with 0/);
    expect(r.stderr).toMatch(/\(sched events for the tasks named "dd"; --filter-comm names others\)/);
    expect(r.stdout).toMatch(/lost events: 0/);
    // what the recording cost the workload is said, and is small for 64 writes
    const cost = /the recorder used (\d+) ms of CPU while tracing \((\d+)% of one CPU over ([\d.]+) s\)/.exec(r.stdout);
    expect(cost, r.stdout).not.toBeNull();
    expect(Number(cost?.[1])).toBeLessThan(1000);
    // 64 writes' events fit in the ring buffer: it is read once, after dd is done
    expect(r.stdout).toMatch(/it read the ring buffer 0 time\(s\) while tracing/);
    expectStateAsBefore(before);
    return loadTrace(out).then(({ ops }) => {
      const dd = ops.filter((o) => o.comm === 'dd');
      const writes = dd.filter((o) => o.kind === 'write' && o.lengthBytes === 4096);
      expect(writes.length).toBe(64);
      expect(new Set(writes.map((o) => o.file)).size).toBe(1);
      expect(writes.map((o) => o.offset)).toEqual(Array.from({ length: 64 }, (_, i) => i * 4096));
      expect(dd.filter((o) => o.kind === 'fsync' && o.file === writes[0].file)).toHaveLength(1);
      // the capture says which file is which: the mounts; the open syscalls are traced
      const text = gunzipSync(readFileSync(out)).toString('latin1');
      expect(text).toMatch(/^# lockreplay mount: \d+:\d+ \S+ \/$/m);
      // and the kernel: its release and, where its config says, CONFIG_HZ
      expect(text).toMatch(/^# lockreplay kernel: \S+( HZ=\d+)?$/m);
      expect(text).toMatch(/ sys_openat\(/);
      // the scheduler's events, for dd's tasks only (filtered by the command's comm)
      const sched = text.split('\n').filter((l) => / sched_(wakeup|switch): /.test(l));
      expect(sched.length).toBeGreaterThan(0);
      expect(sched.filter((l) => !/(^| |_)comm=dd /.test(l))).toEqual([]);
    });
  }, 60_000);


  it('--filter-comm names the traced tasks of a command that runs them: their lines, and their sched events whoever ran when those were traced', async () => {
    const out = join(tmp, 'sh-dd.trace.gz');
    // (dd reads a pipe whose writer starts late: dd sleeps in its first read and is woken, so the
    // capture has a wake of dd whatever the disk does; a write with conv=fsync alone need not sleep)
    const r = cli(['record', '--out', out, '--filter-comm', 'dd', '--', 'sh', '-c', `(sleep 0.2; head -c 262144 /dev/zero) | dd of=${join(tmp, 'dd2.out')} bs=4096 count=64 iflag=fullblock conv=fsync`]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\(sched events for the tasks named "dd"; --filter-comm names others\)/);
    const lines = gunzipSync(readFileSync(out)).toString('latin1').split('\n').filter((l) => !l.startsWith('#') && l.trim() !== '');
    // every line is dd's, one of the recorder's marker lines, or a sched event of dd's
    expect(lines.filter((l) => !/^\s*dd-\d+ /.test(l) && !/ tracing_mark_write: /.test(l) && !/(^| |_)comm=dd /.test(l))).toEqual([]);
    // the switches to dd from other tasks (traced in their context) are kept: dd's wakes pair up
    expect(lines.some((l) => / sched_switch: prev_comm=(?!dd )\S+ .*next_comm=dd /.test(l))).toBe(true);
    const { summary } = await loadTrace(out);
    expect(summary.schedWakes).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(spawnSync('fio', ['--version']).status !== 0)('records fio (the README example); import counts match fio\'s own report', async () => {
    const out = join(tmp, 'fio.trace.gz');
    const report = join(tmp, 'fio.json');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), 'record', '--out', out, '--', 'fio', '--output-format=json', `--output=${report}`, join(ROOT, 'test', 'fixtures', 'record', 'small.fio')], { cwd: tmp, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(0);
    const fio = JSON.parse(readFileSync(report, 'utf8')) as { jobs: { jobname: string; read: { total_ios: number }; write: { total_ios: number }; trim: { total_ios: number } }[] };
    const job = (n: string) => fio.jobs.find((j) => j.jobname === n)!;
    const { summary } = await loadTrace(out);
    // fio's data file, by its inode (the trace has other files: fio's own output, shared libraries)
    const ino = statSync(join(tmp, 'record-test.dat')).ino;
    const [, kinds] = Object.entries(summary.ops.byFile).find(([key]) => key.endsWith(`:${ino}`)) ?? ['', {} as Record<string, number>];
    expect(kinds.write).toBe(job('bufwrite').write.total_ios);
    expect(kinds['dio-read']).toBe(job('dioread').read.total_ios);
    expect(kinds.punch).toBe(job('punch').trim.total_ios);
    // the traced processes' open files (scanned while they run: a job done within a few ms can be
    // missed), under the same keys as the filesystem's events give those files: written into the
    // ring buffer (trace_marker), so they stand among the events where they were seen
    const text = gunzipSync(readFileSync(out)).toString('latin1');
    const scanned = [...text.matchAll(/ tracing_mark_write: lockreplay fd: (\d+) (\d+) (\d+:\d+:\d+)$/gm)].map((m) => m[3]);
    expect(scanned.some((key) => summary.ops.byFile[key] !== undefined)).toBe(true);
    expect(summary.lines.skipped['file-identity-comment']).toBe(scanned.length + (text.match(/^# lockreplay (mount|bdi|btrfs):/gm) ?? []).length);
  }, 120_000);

  it('a ring buffer too small for the whole run is read whenever it gets half full, and nothing is lost', () => {
    const out = join(tmp, 'loop.trace.gz');
    // 30 short dd runs (each one exec, its libraries' opens and mmaps, 20 writes): more than half
    // of a 512 KiB buffer of events per CPU over about a second
    const r = cli(['record', '--buffer-kb', '512', '--out', out, '--', 'sh', '-c', `for i in $(seq 30); do dd if=/dev/zero of=${join(tmp, 'loop.out')} bs=4096 count=20 2>/dev/null; sleep 0.03; done`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lost events: 0\b/);
    const drains = Number(/it read the ring buffer (\d+) time\(s\) while tracing/.exec(r.stdout)?.[1]);
    expect(drains).toBeGreaterThanOrEqual(1);
    // counted by the file, not by the comm: trace_pipe prints the comm the kernel last saved for
    // the pid, and a dd read out before a context switch saved its new name still shows as sh
    const ino = statSync(join(tmp, 'loop.out')).ino;
    return loadTrace(out).then(({ ops }) => {
      expect(ops.filter((o) => o.file.endsWith(`:${ino}`) && o.kind === 'write' && o.lengthBytes === 4096)).toHaveLength(30 * 20);
    });
  }, 60_000);

  it('a capture killed with SIGTERM keeps what it captured and leaves tracefs unchanged; a second capture is refused', async () => {
    const before = state();
    const out = join(tmp, 'killed.trace.gz');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'record', '--out', out, '--', 'sleep', '30'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      const check = (): void => (stderr.includes('recording') ? resolve() : void setTimeout(check, 50));
      check();
    });
    const busy = cli(['record', '--out', join(tmp, 'busy.trace.gz'), '--', 'true']);
    expect(busy.code).toBe(16);
    expect(busy.stderr).toMatch(/another capture is running/);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(tmp, 'busy.trace.gz'))).toBe(false);
    expectStateAsBefore(before);
  }, 60_000);

  it('SIGHUP (the terminal closed) stops the capture as Ctrl-C does: tracefs restored, no lock file or spool left, the workload ended, the capture kept', async () => {
    const before = state();
    const out = join(tmp, 'hup.trace.gz');
    const pidFile = join(tmp, 'hup.pid');
    const rec = recordChild(['--out', out, '--', 'sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`]);
    await waitUntil(() => rec.stderr().includes('recording') && existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 'the workload to start');
    const workload = Number(readFileSync(pidFile, 'utf8'));
    // the terminal is gone: nothing reads what record writes any more
    rec.child.stdout?.destroy();
    rec.child.stderr?.destroy();
    rec.child.kill('SIGHUP');
    expect(await rec.exited).toBe(130);
    expect(existsSync(out)).toBe(true);
    expect(temporariesOf(out)).toEqual([]);
    expect(existsSync(LOCK_FILE)).toBe(false);
    await waitUntil(() => !alive(workload), 'the workload to end', 5_000);
    expectStateAsBefore(before);
  }, 60_000);

  it('a second SIGTERM while the capture is being read out stops it at once: tracefs restored, no temporaries, the file already at --out kept', async () => {
    const before = state();
    const out = join(tmp, 'twice.trace.gz');
    writeFileSync(out, 'an earlier capture');
    // a ring buffer large enough to hold the whole run: seconds of reading out after the workload
    const rec = recordChild(['--buffer-kb', '131072', '--out', out, '--', 'sh', '-c', `dd if=/dev/zero of=${join(tmp, 'twice.out')} bs=1 count=150000; exec sleep 30`]);
    await waitUntil(() => rec.stderr().includes('records out'), 'dd to finish', 30_000, rec.stderr);
    rec.child.kill('SIGTERM');
    await waitUntil(() => rec.stderr().includes('reading out'), 'the read-out to start', 30_000, rec.stderr);
    const secondAt = Date.now();
    rec.child.kill('SIGTERM');
    expect(await rec.exited).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(1500);
    expect(rec.stderr()).toMatch(/SIGTERM again: the capture was dropped/);
    expect(rec.stderr()).not.toMatch(/\n\s+at /);
    expect(readFileSync(out, 'utf8')).toBe('an earlier capture');
    expect(temporariesOf(out)).toEqual([]);
    expect(existsSync(LOCK_FILE)).toBe(false);
    expectStateAsBefore(before);
  }, 60_000);

  it('--json: standard output is the summary alone, valid JSON; the command\'s output goes to standard error', () => {
    const r = cli(['record', '--json', '--out', join(tmp, 'json.trace.gz'), '--', 'echo', 'hello from the workload']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { record: { command: { exitCode: number } } };
    expect(summary.record.command.exitCode).toBe(0);
    expect(r.stderr).toContain('hello from the workload');
  }, 60_000);

    it('an --out that cannot be written fails with exit 6 before the workload runs, and leaves tracefs as it was', () => {
    const before = state();
    const marker = join(tmp, 'ran');
    writeFileSync(join(tmp, 'a-file'), '');
    for (const [out, code] of [['/proc/lockreplay-none/x.trace.gz', 'ENOENT'], [join(tmp, 'a-file', 'x.trace.gz'), 'ENOTDIR']]) {
      const r = cli(['record', '--out', out, '--', 'touch', marker]);
      expect([r.code, r.stderr.trim()]).toEqual([6, `lockreplay: ${out}: cannot write (${code})`]);
    }
    expect(existsSync(marker)).toBe(false);
    expectStateAsBefore(before);
  }, 60_000);

  it('--out in directories that do not exist makes them (as every output does), and removes them again when the capture fails', () => {
    const out = join(tmp, 'new-dir', 'deeper', 'x.trace.gz');
    const r = cli(['record', '--out', out, '--', 'true']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(tmp, 'new-dir', 'deeper'))).toEqual(['x.trace.gz']);
    const failed = cli(['record', '--out', join(tmp, 'gone-dir', 'deeper', 'x.trace.gz'), '--', 'no-such-command-here']);
    expect(failed.code).toBe(15);
    expect(existsSync(join(tmp, 'gone-dir'))).toBe(false);
  }, 60_000);

  it('a full disk (the spool, or the gzip file beside it) is exit 6 naming the output; the file already there is kept, no temporaries, tracefs as it was', () => {
    const before = state();
    // size=64k: the spool fills it; nr_inodes=3 (the folder, the earlier file, the spool): the gzip file cannot be made
    for (const limit of ['size=64k', 'nr_inodes=3']) {
      const dir = mkdtempSync(join(tmp, 'full-'));
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', limit, 'tmpfs', dir]);
      if (mounted.status !== 0) continue;
      try {
        const out = join(dir, 'full.trace.gz');
        writeFileSync(out, 'an earlier capture');
        const r = cli(['record', '--out', out, '--', 'dd', 'if=/dev/zero', `of=${join(tmp, 'full.out')}`, 'bs=1', 'count=20000']);
        expect([r.code, r.stderr.trim().split('\n').pop()]).toEqual([6, `lockreplay: ${out}: cannot write (ENOSPC: no space left on the device)`]);
        expect(readdirSync(dir)).toEqual(['full.trace.gz']);
        expect(readFileSync(out, 'utf8')).toBe('an earlier capture');
        expect(existsSync(LOCK_FILE)).toBe(false);
        expectStateAsBefore(before);
      } finally {
        spawnSync('umount', [dir]);
      }
    }
  }, 60_000);

    it('a --filter-comm longer than a comm is cut to 15 bytes, as the kernel cuts the task\'s name, and says so', async () => {
    const longDd = join(tmp, 'dd-with-a-long-name');
    copyFileSync(spawnSync('sh', ['-c', 'command -v dd'], { encoding: 'utf8' }).stdout.trim(), longDd);
    chmodSync(longDd, 0o755);
    const out = join(tmp, 'long-comm.trace.gz');
    const r = cli(['record', '--out', out, '--filter-comm', 'dd-with-a-long-name', '--', longDd, 'if=/dev/zero', `of=${join(tmp, 'long.out')}`, 'bs=4096', 'count=16']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--filter-comm "dd-with-a-long-name" is longer than a task's comm \(15 bytes\): using "dd-with-a-long-"/);
    const { ops } = await loadTrace(out);
    expect(ops.filter((o) => o.comm === 'dd-with-a-long-' && o.kind === 'write' && o.lengthBytes === 4096)).toHaveLength(16);
  }, 60_000);

  it('a command whose name is not ASCII: its comm is the kernel\'s bytes in the capture (not encoded twice), and --filter-comm finds it', async () => {
    const name = 'dd-\u00fcber';
    const dd = join(tmp, name);
    copyFileSync(spawnSync('sh', ['-c', 'command -v dd'], { encoding: 'utf8' }).stdout.trim(), dd);
    chmodSync(dd, 0o755);
    const out = join(tmp, 'utf8-comm.trace.gz');
    const r = cli(['record', '--out', out, '--filter-comm', name, '--', dd, 'if=/dev/zero', `of=${join(tmp, 'utf8.out')}`, 'bs=4096', 'count=8']);
    expect(r.code, r.stderr).toBe(0);
    const text = gunzipSync(readFileSync(out));
    // the UTF-8 bytes of the name, once: c3 bc for u-umlaut (latin1 text written as UTF-8 made it c3 83 c2 bc)
    expect(text.includes(Buffer.from(`${name}-`))).toBe(true);
    expect(text.includes(Buffer.from(Buffer.from(name).toString('latin1')))).toBe(false);
    const { ops } = await loadTrace(out);
    expect(ops.filter((o) => o.comm === name && o.kind === 'write' && o.lengthBytes === 4096)).toHaveLength(8);
  }, 60_000);

  it('a capture without events prints its summary (0 events) and a warning, exit 0', () => {
    const out = join(tmp, 'empty.trace.gz');
    const r = cli(['record', '--out', out, '--events', 'syscalls/sys_enter_truncate', '--filter-comm', 'no-such-task', '--duration', '0.3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^captured 0 event lines into /);
    expect(r.stdout).toMatch(/events per kind: none/);
    expect(r.stderr).toMatch(/^lockreplay: warning: no events were captured into .*empty\.trace\.gz/m);
    expect(existsSync(out)).toBe(true);
  }, 60_000);

    it('--duration with a command is at most that long: the capture stops, the command gets SIGTERM and its exit is reported; a command that ends sooner is not waited past', () => {
    const from = Date.now();
    const r = cli(['record', '--duration', '1', '--out', join(tmp, 'duration.trace.gz'), '--', 'sleep', '30']);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - from).toBeLessThan(20_000);
    expect(r.stdout).toMatch(/^command sleep 30 exited with signal SIGTERM \(stopped by --duration 1: SIGTERM when the capture stopped\)$/m);
    expect(r.stderr).toMatch(/--duration 1 s is up: the capture stopped; sleep gets SIGTERM/);
    const soon = Date.now();
    const quick = cli(['record', '--duration', '40', '--out', join(tmp, 'duration-quick.trace.gz'), '--', 'true']);
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toMatch(/^command true exited with 0$/m);
    expect(Date.now() - soon).toBeLessThan(20_000);
  }, 60_000);

  it.skipIf(typeof fs === 'string' || fs.cpuCount() < 2)('per-CPU ring buffers of different sizes (buffer_size_kb reads X) are each restored as found', () => {
    const perCpu = (): string[] => [0, 1].map((n) => tracefs.read(`per_cpu/cpu${n}/buffer_size_kb`).trim());
    const found = perCpu();
    try {
      tracefs.write('per_cpu/cpu0/buffer_size_kb', '1024');
      tracefs.write('per_cpu/cpu1/buffer_size_kb', '2048');
      const before = perCpu();
      expect(tracefs.read('buffer_size_kb').trim()).toBe('X');
      const r = cli(['record', '--buffer-kb', '512', '--out', join(tmp, 'per-cpu.trace.gz'), '--', 'true']);
      expect(r.code, r.stderr).toBe(0);
      const after = perCpu();
      expect(after.every((kb, i) => sameBufferKb(kb, before[i])), `${after.join(', ')} KB after, ${before.join(', ')} KB before`).toBe(true);
    } finally {
      found.forEach((kb, n) => tracefs.write(`per_cpu/cpu${n}/buffer_size_kb`, effectiveBufferKb(kb)));
    }
  }, 60_000);

    it('a --buffer-kb no machine could allocate is exit 2 naming the bound; nothing runs, tracefs as it was', () => {
    const before = state();
    const ran = join(tmp, 'huge-buffer-ran');
    const r = cli(['record', '--buffer-kb', '999999999', '--out', join(tmp, 'huge.trace.gz'), '--', 'touch', ran]);
    const totalKb = Math.floor(totalmem() / 1024);
    const cpuTotal = Math.max(1, cpus().length);
    expect([r.code, r.stderr.trim()]).toEqual([2, `lockreplay: --buffer-kb 999999999: at most ${maxBufferKbPerCpu(totalKb, cpuTotal)} KB per CPU on this machine (its memory, ${totalKb} KB, shared by the ring buffers of its ${cpuTotal} CPU${cpuTotal === 1 ? '' : 's'})`]);
    expect(existsSync(ran)).toBe(false);
    expect(existsSync(join(tmp, 'huge.trace.gz'))).toBe(false);
    expect(temporariesOf(join(tmp, 'huge.trace.gz'))).toEqual([]);
    expectStateAsBefore(before);
  }, 60_000);

    it('--events: an empty list is a usage error (exit 2); SYSTEM:EVENT is SYSTEM/EVENT; an event named twice is enabled once', () => {
    const ran = join(tmp, 'no-events-ran');
    for (const events of ['', ',', ' , ']) {
      const r = cli(['record', '--events', events, '--out', join(tmp, 'no-events.trace.gz'), '--', 'touch', ran]);
      expect([r.code, r.stderr.trim()]).toEqual([2, `lockreplay: --events ${JSON.stringify(events)} names no events: give a preset (default, no-locks) or SYSTEM/EVENT,...`]);
    }
    expect(existsSync(ran)).toBe(false);
    const r = cli(['record', '--events', 'syscalls:sys_enter_write,syscalls/sys_enter_write,syscalls/sys_exit_write', '--out', join(tmp, 'colon.trace.gz'), '--', 'dd', 'if=/dev/zero', `of=${join(tmp, 'colon.out')}`, 'bs=4096', 'count=8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^recording 2 events /m);
    expect(r.stdout).toMatch(/^events per kind: sys_write \d+$/m);
  }, 60_000);

    it('events lost by a ring buffer too small: the summary says so and asks for a larger --buffer-kb, naming the size it had', () => {
    const r = cli(['record', '--buffer-kb', '8', '--out', join(tmp, 'lost.trace.gz'), '--', 'dd', 'if=/dev/zero', `of=${join(tmp, 'lost.out')}`, 'bs=1', 'count=100000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^captured .* lost events: [1-9]\d*\n/);
    expect(r.stdout.split('\n')[1]).toMatch(/^events were lost: the ring buffer filled faster than it was read; give a larger --buffer-kb \(it was \d+ KB per CPU\)$/);
  }, 60_000);

    it('clear errors with their own exit codes: unknown event 14, command not found 15, not root 12', () => {
    const ev = cli(['record', '--events', 'nope/nothing', '--', 'true']);
    expect(ev.code).toBe(14);
    expect(ev.stderr).toMatch(/event "nope\/nothing" does not exist/);
    const cmd = cli(['record', '--out', join(tmp, 'x.trace.gz'), '--', 'no-such-command-here']);
    expect(cmd.code).toBe(15);
    expect(cmd.stderr).toMatch(/command not found/);
    const setpriv = spawnSync('setpriv', ['--version']);
    if (setpriv.status === 0) {
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(ROOT, 'bin', 'run.js'), 'record', '--', 'true'], { encoding: 'utf8', cwd: tmpdir() });
      expect(r.status).toBe(12);
      expect(r.stderr).toMatch(/needs root/);
    }
  }, 60_000);
});

describe('record\'s usage errors (no tracefs needed: refused before it is touched)', () => {
  it('--out - and --out "" are refused with exit 2 before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-record-usage-'));
    const ran = join(dir, 'ran');
    for (const out of ['-', '', ' ']) {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), 'record', '--out', out, '--', 'touch', ran], { cwd: dir, encoding: 'utf8', input: '', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(out === '-' ? /^lockreplay: --out -: record cannot write to standard output .*give a file name$/m : /^lockreplay: --out is empty: give a file name$/m);
      expect(readdirSync(dir)).toEqual([]);
    }
    rmSync(dir, { recursive: true });
  });

  it('the help says what record does: usage with -- COMMAND..., spooled then compressed, exit 130; no line breaks inside a paragraph', async () => {
    const r = cli(['record', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+\$ lockreplay record \[FLAGS\] -- COMMAND\.\.\.$/m);
    expect(r.stdout).toMatch(/^\s+\$ lockreplay record \[FLAGS\] --duration S$/m);
    expect(r.stdout).not.toMatch(/streams trace_pipe into a gzip file/);
    expect(r.stdout).toMatch(/spool file/);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/130 interrupted \(what was captured is kept\)/);
    const { default: Record } = await import('../src/commands/record.js');
    // oclif wraps the description to the terminal: a break of its own is a paragraph's end
    expect(Record.description?.replace(/\n\n/g, '')).not.toMatch(/\n/);
  });

    it('neither a command nor --duration is refused with exit 2 before any event is enabled', () => {
    const r = cli(['record', '--out', join(tmpdir(), 'lockreplay-never-written.trace.gz')]);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'lockreplay: nothing to record: give a command after --, or --duration S']);
  });

    it('a --buffer-kb above the machine\'s memory over its CPUs is refused with exit 2 naming the flag and the bound, before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-record-usage-'));
    const cpuTotal = Math.max(1, cpus().length);
    const totalKb = Math.floor(totalmem() / 1024);
    const max = Math.floor(totalKb / cpuTotal);
    const bound = `at most ${max} KB per CPU on this machine (its memory, ${totalKb} KB, shared by the ring buffers of its ${cpuTotal} CPU${cpuTotal === 1 ? '' : 's'})`;
    // (one more than the bound; one the kernel's KB-to-bytes shift overflows, named as the double it reads as; one String() writes as 1e+21)
    for (const [kb, shown] of [[String(max + 1), String(max + 1)], ['18014398509481985', '18014398509481984'], ['1000000000000000000000', '1000000000000000000000']]) {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), 'record', '--buffer-kb', kb, '--out', join(dir, 'x.trace.gz'), '--', 'touch', join(dir, 'ran')], { encoding: 'utf8', timeout: 30_000 });
      expect([r.status, r.stderr.trim()]).toEqual([2, `lockreplay: --buffer-kb ${shown}: ${bound}`]);
      expect(readdirSync(dir)).toEqual([]);
    }
    rmSync(dir, { recursive: true });
    // the bound itself is taken (it is what the kernel refuses or allocates: not run here)
    expect(() => refuseBufferKbAboveMemory(max)).not.toThrow();
    expect(maxBufferKbPerCpu(8 * 1024 * 1024, 3)).toBe(2796202);
  });

    it('a --buffer-kb below the bound the kernel still cannot allocate (ENOMEM) is exit 2 asking for a smaller one; other write errors pass through', async () => {
    const { setBufferKb } = await import('../src/record/recorder.js');
    const failing = (code: string) => ({ write: (): void => { throw Object.assign(new Error(`write: ${code}`), { code }); } });
    let err: unknown;
    try { setBufferKb(failing('ENOMEM'), 4096); } catch (e) { err = e; }
    expect([(err as { exitCode?: number }).exitCode, (err as Error).message]).toEqual([2, '--buffer-kb 4096: cannot allocate 4096 KB per CPU for the ring buffer (ENOMEM): choose a smaller --buffer-kb']);
    expect(() => setBufferKb(failing('EACCES'), 4096)).toThrow('write: EACCES');
    const written: string[] = [];
    setBufferKb({ write: (name: string, value: string) => { written.push(`${name}=${value}`); } }, 4096);
    expect(written).toEqual(['buffer_size_kb=4096']);
  });

    it('a --duration setTimeout cannot hold (2^31 ms or more) is refused with exit 2 before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-record-usage-'));
    for (const duration of ['2147484', '1e300']) {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), 'record', '--duration', duration, '--out', join(dir, 'x.trace.gz'), '--', 'touch', join(dir, 'ran')], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^lockreplay: --duration must be at most 2147483 seconds/m);
      expect(readdirSync(dir)).toEqual([]);
    }
    rmSync(dir, { recursive: true });
  });
});

describe('record\'s sched events (no tracefs needed)', () => {
  it('sched filters: by the command\'s comm (its file name, 15 bytes at most); none for a name a filter cannot hold', async () => {
    const { commOfCommand, schedFilters } = await import('../src/record/recorder.js');
    expect(commOfCommand('/usr/bin/fio')).toBe('fio');
    expect(commOfCommand('./a-very-long-command-name')).toBe('a-very-long-com');
    expect(schedFilters('fio')).toEqual({ 'sched/sched_wakeup': 'comm == "fio"', 'sched/sched_switch': 'prev_comm == "fio" || next_comm == "fio"' });
    expect(schedFilters('a"b')).toBeUndefined();
    expect(schedFilters('a\\b')).toBeUndefined();
    expect(schedFilters('')).toBeUndefined();
  });
});

describe('record\'s event presets (no tracefs needed)', () => {
  it('the default preset has every xfs inode lock event the importer reads; no-locks has none', async () => {
    const { HANDLERS } = await import('../src/import/event-catalogue.js');
    const { EVENT_PRESETS } = await import('../src/record/recorder.js');
    const xfsLocks = [...HANDLERS.keys()].filter((e) => /^xfs_i(un)?lock/.test(e)).map((e) => `xfs/${e}`);
    expect(xfsLocks).toEqual(expect.arrayContaining(['xfs/xfs_ilock_nowait', 'xfs/xfs_ilock_demote']));
    expect(DEFAULT_EVENTS).toEqual(expect.arrayContaining(xfsLocks));
    expect(EVENT_PRESETS['no-locks'].filter((e) => xfsLocks.includes(e))).toEqual([]);
  });
});

describe('record\'s ring buffer sizes (no tracefs needed)', () => {
  it('a size the kernel rounded to its pages is the same buffer; another size is not', async () => {
    const { effectiveBufferKb } = await import('../src/record/tracefs.js');
    // a fresh boot: unexpanded, then 1410 once an event is enabled (354 pages of 4080 bytes)
    expect(effectiveBufferKb('7 (expanded: 1408)\n')).toBe('1408');
    expect(sameBufferKb('1408', '1410')).toBe(true);
    expect(sameBufferKb('512', '514')).toBe(true);
    expect(sameBufferKb('1408', '1412')).toBe(false);
    expect(sameBufferKb('512', '1410')).toBe(false);
  });
});
