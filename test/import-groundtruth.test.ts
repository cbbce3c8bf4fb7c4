import { describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { fioJobs, trace, within } from './helpers.js';

/** The workload file of each capture is the file with the most ops. */
async function workload(name: string) {
  const r = await loadTrace(trace(name));
  const files = Object.entries(r.summary.ops.byFile);
  const [file, kinds] = files[0];
  return { r, file, kinds: kinds as Record<string, number> };
}

describe('ftrace import matches fio ground truth', () => {
  it('xfs-mix: buffered writes, direct reads, punches, faults', async () => {
    const fio = fioJobs('xfs-mix.fio.json');
    const { r, file, kinds } = await workload('xfs-mix.trace.gz');
    expect(file).toBe('7:0:133');
    expect(within(kinds.write, fio.bufwrite.write, 0.01)).toBe(true);
    expect(within(kinds['dio-read'], fio.dioread.read, 0.01)).toBe(true);
    expect(within(kinds.punch, fio.punch.trim, 0.01)).toBe(true);
    expect(kinds.fallocate).toBe(1); // fio's layout step
    const faults = (kinds['fault-read'] ?? 0) + (kinds['fault-write'] ?? 0);
    expect(faults).toBeGreaterThan(0);
    expect(faults).toBeLessThanOrEqual(fio.mmapread.read);
    // ops on other inodes are reported per file, not dropped
    expect(Object.keys(r.summary.ops.byFile).length).toBeGreaterThan(1);
    expect(r.summary.lines.total).toBe(49961);
    expect(r.summary.lines.bad).toBe(0);
    expect(r.summary.cpus).toBe(2);
  });

  it('ext4-mix: the same mix on ext4 (decimal inodes, ext4 events)', async () => {
    const fio = fioJobs('ext4-mix.fio.json');
    const { file, kinds } = await workload('ext4-mix.trace.gz');
    expect(file).toBe('254:0:2154529');
    expect(within(kinds.write, fio.bufwrite.write, 0.01)).toBe(true);
    expect(within(kinds['dio-read'], fio.dioread.read, 0.01)).toBe(true);
    expect(within(kinds.punch, fio.punch.trim, 0.01)).toBe(true);
    const faults = (kinds['fault-read'] ?? 0) + (kinds['fault-write'] ?? 0);
    expect(faults).toBeGreaterThan(0);
    expect(faults).toBeLessThanOrEqual(fio.mmapread.read);
  });

  it('ext4-dio-buffered: direct writes, buffered reads and 16 KiB buffered writes', async () => {
    const fio = fioJobs('ext4-dio-buffered.fio.json');
    const { kinds } = await workload('ext4-dio-buffered.trace.gz');
    expect(within(kinds['dio-write'], fio.diowrite.write, 0.01)).toBe(true);
    expect(within(kinds.read, fio.bufread.read, 0.01)).toBe(true);
    expect(within(kinds.write, fio.bufwrite.write, 0.01)).toBe(true);
  });

  it('ext4-contended-mixed (lockreplay record on an ext4 loop device): one key for fio\'s file, each job\'s count one to one', async () => {
    const fio = fioJobs('ext4-contended-mixed.fio.json');
    const { r, file, kinds } = await workload('ext4-contended-mixed.trace.gz');
    expect(file).toBe('7:0:12');
    // two jobs of each of bw and dr: fioJobs keeps one per name, both did number_ios
    expect(kinds.write).toBe(2 * fio.bw.write);
    expect(kinds['dio-read']).toBe(2 * fio.dr.read);
    expect(kinds.punch).toBe(fio.punch.trim);
    expect(kinds.fallocate).toBe(1); // fio's layout of the new file
    expect(kinds.read ?? 0).toBe(0); // an mmap read is a memcpy, at most a fault
    const faults = (kinds['fault-read'] ?? 0) + (kinds['fault-write'] ?? 0);
    expect(faults).toBeGreaterThan(0.9 * fio.mmapread.read);
    expect(faults).toBeLessThanOrEqual(fio.mmapread.read);
    // every write, direct read, punch and fault of fio's tasks is on that one key (none left
    // under fd:PID:FD, none on another device's number for the same file)
    const fioOps = r.ops.filter((o) => o.comm === 'fio' && ['write', 'dio-read', 'punch', 'fallocate', 'fault-read'].includes(o.kind) && o.file.startsWith('7:0:'));
    expect(new Set(fioOps.map((o) => o.file))).toEqual(new Set([file]));
    // (fio's own 1-byte writes to a pipe stay fd:PID:FD: no file is behind them)
    expect(r.ops.filter((o) => o.comm === 'fio' && o.file.startsWith('fd:') && ['write', 'dio-read', 'punch', 'fallocate'].includes(o.kind) && o.lengthBytes > 1)).toEqual([]);
    // per task: each job's count, as fio reports it per job
    const perTask = (kind: string): number[] => {
      const m = new Map<number, number>();
      for (const o of r.ops) if (o.file === file && o.kind === kind) m.set(o.pid, (m.get(o.pid) ?? 0) + 1);
      return [...m.values()].sort();
    };
    expect(perTask('write')).toEqual([fio.bw.write, fio.bw.write]);
    expect(perTask('dio-read')).toEqual([fio.dr.read, fio.dr.read]);
    expect(perTask('punch')).toEqual([fio.punch.trim]);
    const l = r.summary.lines;
    expect(l.total).toBe(101485);
    expect(l.bad).toBe(0);
    expect(l.used + Object.values(l.skipped).reduce((a, b) => a + b, 0) + l.bad).toBe(l.total);
    expect(r.summary.cpus).toBe(2);
  });

  it('xfs-disjoint-writers: four buffered writers', async () => {
    const fio = fioJobs('xfs-disjoint-writers.fio.json');
    const { r, kinds } = await workload('xfs-disjoint-writers.trace.gz');
    const expected = Object.values(fio).reduce((a, j) => a + j.write, 0);
    expect(within(kinds.write, expected, 0.01)).toBe(true);
    // per task: each writer's count matches its job
    const perPid = new Map<number, number>();
    for (const op of r.ops) if (op.file === '7:0:133' && op.kind === 'write') perPid.set(op.pid, (perPid.get(op.pid) ?? 0) + 1);
    expect([...perPid.values()].sort()).toEqual(Object.values(fio).map((j) => j.write).sort());
  });

  it('xfs-mmap-truncate: exactly 80 ftruncate calls, faults bounded by the mmap jobs', async () => {
    const fio = fioJobs('xfs-mmap-truncate.fio.json');
    const { kinds } = await workload('xfs-mmap-truncate.trace.gz');
    expect(kinds.truncate).toBe(80);
    expect(within(kinds.read, fio.bufread.read, 0.01)).toBe(true);
    expect(kinds['fault-write']).toBeGreaterThan(0);
    expect(kinds['fault-write']).toBeLessThanOrEqual(fio.mmapwrite.write);
    expect(kinds['fault-read']).toBeGreaterThan(0);
    expect(kinds['fault-read']).toBeLessThanOrEqual(fio.mmapread.read);
  });

  it('xfs-nested-fault: faults inside pwrite64 are children of the write', async () => {
    const { r, file, kinds } = await workload('xfs-nested-fault.trace.gz');
    expect(kinds.write).toBe(9812);
    expect(kinds.punch).toBe(394);
    expect(kinds.truncate).toBe(1);
    const byId = new Map(r.ops.map((o) => [o.id, o]));
    const children = r.ops.filter((o) => o.parent !== undefined && o.kind === 'fault-read' && o.file === file);
    expect(children.length).toBeGreaterThan(9000);
    for (const c of children.slice(0, 200)) {
      const parent = byId.get(c.parent as number);
      expect(parent?.kind).toBe('write');
      expect(parent?.pid).toBe(c.pid);
      expect(c.tsNs).toBeGreaterThanOrEqual(parent!.tsNs);
      expect(c.tsNs).toBeLessThanOrEqual(parent!.tsNs + (parent!.durNs ?? 0));
    }
  });
});

describe('op stream invariants on a real capture', () => {
  it('ops come in issue-time order with ids 0..n-1, and every line is accounted for', async () => {
    const r = await loadTrace(trace('xfs-mix.trace.gz'));
    r.ops.forEach((op, i) => {
      expect(op.id).toBe(i);
      if (i > 0) expect(op.tsNs).toBeGreaterThanOrEqual(r.ops[i - 1].tsNs);
      expect(op.lengthBytes).toBeGreaterThanOrEqual(0);
      expect(op.offset).toBeGreaterThanOrEqual(0);
    });
    const l = r.summary.lines;
    const skipped = Object.values(l.skipped).reduce((a, b) => a + b, 0);
    expect(l.used + skipped + l.bad).toBe(l.total);
    expect(r.summary.notes.filter((n) => n.startsWith('internal'))).toEqual([]);
  });

  it('a punch op carries the fallocate range and duration from its syscall', async () => {
    const r = await loadTrace(trace('xfs-mix.trace.gz'), { files: new Set(['7:0:133']) });
    const punch = r.ops.find((o) => o.kind === 'punch')!;
    expect(punch.lengthBytes).toBe(4096);
    expect(punch.offset % 4096).toBe(0);
    expect(punch.durNs).toBeGreaterThan(0);
    expect(r.ops.every((o) => o.file === '7:0:133')).toBe(true);
    expect(r.summary.lines.skipped['filtered-file']).toBeGreaterThan(0);
  });
});
