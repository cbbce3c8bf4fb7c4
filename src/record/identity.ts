/**
 * What identifies files on the recording machine, written into a capture as header comments so the
 * importer can give one file one key whatever notation an event uses:
 *
 *   # lockreplay mount: MAJ:MIN FSTYPE MOUNTPOINT     (from /proc/self/mountinfo)
 *   # lockreplay bdi: NAME MAJ:MIN                     (a filesystem naming its device: btrfs-1)
 *   # lockreplay btrfs: FSID MAJ:MIN                   (a btrfs filesystem's id: btrfs's own events name it)
 *   # lockreplay fd: TGID FD MAJ:MIN:INO               (an open file of a traced process, /proc/TGID/fd)
 *
 * and what the kernel is, where a replay models it (kernelHeader):
 *
 *   # lockreplay kernel: RELEASE HZ=N                  (CONFIG_HZ: a Linux rwsem's hand-off timeout is in jiffies)
 *
 * Old captures have none of these and still import.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** pseudo filesystems that hold no file data a trace would show */
const PSEUDO = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue', 'tracefs', 'debugfs', 'securityfs', 'pstore', 'bpf', 'configfs',
  'fusectl', 'hugetlbfs', 'autofs', 'binfmt_misc', 'efivarfs', 'nsfs', 'rpc_pipefs', 'selinuxfs']);

export interface Mount {
  dev: string;
  fsType: string;
  /** as mountinfo prints it (spaces escaped as \040) */
  mountPoint: string;
  source: string;
}

export function readMounts(mountinfo = '/proc/self/mountinfo'): Mount[] {
  const out: Mount[] = [];
  let text: string;
  try {
    text = readFileSync(mountinfo, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (f.length < 7 || dash < 6) continue;
    const fsType = f[dash + 1];
    if (PSEUDO.has(fsType)) continue;
    out.push({ dev: f[2], fsType, mountPoint: f[4], source: f[dash + 2] ?? '' });
  }
  return out;
}

/**
 * Filesystems that name their backing device by a name (btrfs: "btrfs-N", in writeback events'
 * `bdi NAME:`): the name and the device number its files carry (st_dev, as in mountinfo).
 */
export function readBdiNames(mounts: Mount[], sysfsBtrfs = '/sys/fs/btrfs'): { name: string; dev: string }[] {
  const out: { name: string; dev: string }[] = [];
  if (!existsSync(sysfsBtrfs)) return out;
  for (const fsid of readdirSync(sysfsBtrfs)) {
    const dir = join(sysfsBtrfs, fsid);
    let bdi: string;
    try {
      bdi = basename(readlinkSync(join(dir, 'bdi')));
    } catch {
      continue;
    }
    let devices: string[] = [];
    try {
      devices = readdirSync(join(dir, 'devices'));
    } catch {
      // no device list: cannot tie the name to a mount
    }
    const m = btrfsMountOf(mounts, devices);
    if (m !== undefined && !out.some((o) => o.name === bdi)) out.push({ name: bdi, dev: m.dev });
  }
  return out;
}

/**
 * btrfs's own events name an inode by its filesystem's id (btrfs_get_extent: "FSID: root=5(FS_TREE)
 * ino=272"): each btrfs filesystem's id and the device number its events and mountinfo give it
 * (the superblock's: every subvolume of the filesystem shows the same one there).
 */
export function readBtrfsIds(mounts: Mount[], sysfsBtrfs = '/sys/fs/btrfs'): { fsid: string; dev: string }[] {
  const out: { fsid: string; dev: string }[] = [];
  if (!existsSync(sysfsBtrfs)) return out;
  for (const fsid of readdirSync(sysfsBtrfs)) {
    if (!/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(fsid)) continue;
    let devices: string[] = [];
    try {
      devices = readdirSync(join(sysfsBtrfs, fsid, 'devices'));
    } catch {
      continue;
    }
    const m = btrfsMountOf(mounts, devices);
    if (m !== undefined) out.push({ fsid, dev: m.dev });
  }
  return out;
}

/**
 * The mount of the btrfs filesystem made of `devices` (the block devices' names in sysfs: "sda2",
 * "dm-0"): its source names one of them, directly ("/dev/sda2") or through a link
 * ("/dev/mapper/luks-…", "/dev/disk/by-uuid/…" → "/dev/dm-0").
 */
function btrfsMountOf(mounts: Mount[], devices: string[]): Mount | undefined {
  return mounts.find((x) => {
    if (x.fsType !== 'btrfs') return false;
    if (devices.some((d) => x.source === `/dev/${d}`)) return true;
    if (!x.source.startsWith('/')) return false;
    let real: string;
    try {
      real = realpathSync(x.source);
    } catch {
      return false;
    }
    return basename(dirname(real)) === 'dev' && devices.includes(basename(real));
  });
}

export function identityHeader(): string {
  const mounts = readMounts();
  const lines = mounts.map((m) => `# lockreplay mount: ${m.dev} ${m.fsType} ${m.mountPoint}`);
  for (const b of readBdiNames(mounts)) lines.push(`# lockreplay bdi: ${b.name} ${b.dev}`);
  for (const b of readBtrfsIds(mounts)) lines.push(`# lockreplay btrfs: ${b.fsid} ${b.dev}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** CONFIG_HZ from the running kernel's config (/proc/config.gz, or the config file /boot keeps for it), if any says */
export function readKernelHz(kernelRelease = release(), configs: string[] = ['/proc/config.gz', `/boot/config-${kernelRelease}`]): number | undefined {
  for (const path of configs) {
    let text: string;
    try {
      const raw = readFileSync(path);
      text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
    } catch {
      continue;
    }
    const m = /^CONFIG_HZ=(\d+)$/m.exec(text);
    if (m !== null) return Number(m[1]);
  }
  return undefined;
}

/** the capture's kernel: its release, and CONFIG_HZ when the kernel's config says it */
export function kernelHeader(kernelRelease: string, hz: number | undefined): string {
  return `# lockreplay kernel: ${kernelRelease.replace(/\s+/g, '_')}${hz !== undefined ? ` HZ=${hz}` : ''}\n`;
}

/** "MAJ:MIN" of a dev_t as Linux encodes it */
export function devName(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** the process and its descendants, from /proc/PID/task/TID/children */
export function processTree(root: number): number[] {
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    out.push(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim() !== '') todo.push(Number(c));
      } catch {
        // the task ended
      }
    }
  }
  return out;
}

/** mountinfo's escapes (\040 for a space) undone */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * The device number kernel events print for a file at `path`: its mount's (the superblock's), by the
 * longest mount point that contains it. (A file's st_dev can differ: btrfs gives each subvolume an
 * anonymous device of its own, while its events print the superblock's.)
 */
export function eventDevOf(path: string, mounts: Mount[]): string | undefined {
  let best: Mount | undefined;
  let bestLength = -1;
  for (const m of mounts) {
    const mp = unescapeMount(m.mountPoint);
    const inside = mp === '/' || path === mp || path.startsWith(`${mp}/`);
    if (inside && mp.length >= bestLength) {
      best = m;
      bestLength = mp.length;
    }
  }
  return best?.dev;
}

/**
 * The regular files the processes have open, as "# lockreplay fd:" lines: one when a (process, fd)
 * is first seen and one each time it names another file (an fd closed and reused). `seen` keeps
 * the file written last for each.
 */
export function scanOpenFiles(pids: number[], seen: Map<string, string>, mounts: Mount[] = readMounts()): string {
  let text = '';
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const st = statSync(`/proc/${pid}/fd/${fd}`, { bigint: true });
        if (!st.isFile()) continue;
        const dev = eventDevOf(readlinkSync(`/proc/${pid}/fd/${fd}`), mounts) ?? devName(st.dev);
        const key = `${dev}:${st.ino}`;
        const where = `${pid} ${fd}`;
        if (seen.get(where) === key) continue;
        seen.set(where, key);
        text += `# lockreplay fd: ${where} ${key}\n`;
      } catch {
        // closed meanwhile
      }
    }
  }
  return text;
}
