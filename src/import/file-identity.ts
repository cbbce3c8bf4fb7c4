/**
 * One file, one key, whatever notation an event uses. Kernel events name a file three ways: a
 * numeric device and inode ("dev 7:0 ino 0x85", the key MAJ:MIN:INO), a backing-device name
 * ("bdi btrfs-1: ino=257" in writeback events), or only an fd (a syscall with no filesystem event
 * inside, such as a punch on btrfs). This module keeps what the trace says about each and turns
 * provisional keys into final ones:
 *
 * - `bdi NAME`: through the capture's header ("# lockreplay bdi: NAME MAJ:MIN", written by
 *   `lockreplay record`), else, at the end, through the one numeric-device file with the same inode
 *   number (the key stays "NAME:INO" when there is none, or more than one, or, for a btrfs name,
 *   when that file's device is not an anonymous one, 0:N, as every btrfs filesystem's is);
 * - a btrfs filesystem's id (`btrfs_get_extent: FSID: root=5(FS_TREE) ino=272`): through the
 *   header ("# lockreplay btrfs: FSID MAJ:MIN"), else as `bdi NAME` is (the key stays "FSID:INO").
 *   The subvolume (root) is left out, as every other event of btrfs leaves it out: iomap, filemap
 *   and writeback events name the superblock's device, which all subvolumes share;
 * - an fd: through "# lockreplay fd: TGID FD MAJ:MIN:INO" lines (the recorder's scans of the traced
 *   processes' open files), or through another syscall on the same fd that named its inode. Ops
 *   released before either was known keep "fd:TGID:FD" and are renamed at the end (`aliases()`).
 *
 * An fd number names one file only for one lifetime: from its open (or dup) to its close. A
 * process that closes fd 7 and opens another file gets fd 7 again, so what the trace said about
 * the first file must not name the second. A close (or an open or dup onto an fd that was in use)
 * starts a new lifetime, whose key carries its number: "TGID:FD/N" (fdKey). Traces without the
 * open and close syscalls keep one lifetime per fd, as before.
 */
import { clipText } from '../errors.js';
import { devOf, keyNumberAt } from './fields.js';
import { utf8FromLatin1 } from './lines.js';

/** a btrfs filesystem id as the kernel prints it (%pU), in either case (a header line may be a user's) */
const UUID_TEXT = '[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}';
/** a filesystem id as a key has it (lower case) */
const UUID = /^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;
/** an earlier recorder's btrfs line, with the subvolume id: "# lockreplay btrfs: FSID 5 MAJ:MIN" */
const EARLIER_BTRFS_HEADER = new RegExp(`^#\\s*lockreplay btrfs:\\s+${UUID_TEXT}\\s+\\d+\\s+\\d+:\\d+\\s*$`);
const BTRFS_HEADER = new RegExp(`^#\\s*lockreplay btrfs:\\s+(${UUID_TEXT})\\s+(\\d+:\\d+)\\s*$`);
/** "FSID: root=R(NAME) ino=N" (older kernels print no id) */
const BTRFS_INODE = new RegExp(`^(?:(${UUID_TEXT}): )?root=(\\d+)(?:\\([^)]*\\))? ino=(\\d+)`);

/** btrfs: the first object id of a file; lower ones are the filesystem's own trees */
const BTRFS_FIRST_FREE_OBJECTID = 256;
/** btrfs: the tree of the top-level subvolume's files */
const BTRFS_FS_TREE_OBJECTID = 5;

export class FileIdentity {
  /** backing-device name → "MAJ:MIN" (capture header) */
  private readonly bdiDevs = new Map<string, string>();
  /** the capture's mounts (`# lockreplay mount: MAJ:MIN FSTYPE MOUNTPOINT`): device → filesystem type, the first line of a device kept */
  readonly fileSystems = new Map<string, string>();
  /** backing-device name → the line of the header comment that mapped it */
  private readonly bdiLines = new Map<string, number>();
  /** a btrfs filesystem's id → "MAJ:MIN" (capture header) */
  private readonly btrfsDevs = new Map<string, string>();
  /** a btrfs filesystem's id → the line of the header comment that mapped it (none for a mapping pairBtrfs learned) */
  private readonly btrfsLines = new Map<string, number>();
  /** "TGID:FD" → file key, from the recorder's scans */
  private readonly scannedFds = new Map<string, string>();
  /** provisional keys released in ops ("fd:TGID:FD", "NAME:INO") → the final key, once known */
  private readonly late = new Map<string, string>();
  /** provisional keys released in ops */
  private readonly released = new Set<string>();
  /** every key noteReleased was given */
  private readonly noted = new Set<string>();
  /** numeric-device keys by inode number (for names the header did not map): ino → keys */
  private readonly byInode = new Map<string, Set<string>>();
  /** lock address (contention events) → the fds ("fd:TGID:FD") of syscalls that waited on it */
  private readonly lockWaiters = new Map<string, Set<string>>();
  /** fds identified by a lock they waited on (learnFromLockWaits) */
  fdsFromLockWaits = 0;
  /** "TGID:FD" → the number of its present lifetime (absent: the first) */
  private readonly fdLifetimes = new Map<string, number>();
  /** "TGID:FD" of fds whose present lifetime something was learned about or used */
  private readonly fdsInUse = new Set<string>();
  /** fd keys that are one open file (dup), both ways */
  private readonly copies = new Map<string, string[]>();
  /** fd lifetimes ended by a close or reuse (the trace's open and close syscalls) */
  fdLifetimesEnded = 0;
  /** a btrfs filesystem's id → the line of the pairing (pairBtrfs) that tied it to its device */
  private readonly btrfsPairLines = new Map<string, number>();
  /** keys btrfsKey made through a mapping of its filesystem's id ("0:40:300") → that id */
  private readonly mappedLookups = new Map<string, string>();
  /** btrfs filesystem ids that the header and the events (or two pairings) tie to two devices, by "FSID DEV DEV" */
  readonly btrfsConflicts = new Map<string, BtrfsDeviceConflict>();

  /** "TGID:FD" for the fd's present lifetime: "TGID:FD/N" from its second lifetime on */
  fdKey(tgid: number, fd: number): string {
    const base = `${tgid}:${fd}`;
    this.fdsInUse.add(base);
    const n = this.fdLifetimes.get(base);
    return n === undefined ? base : `${base}/${n}`;
  }

  /**
   * The fd was closed: what the trace said about it names no later file on that number. Returns
   * the key of the lifetime that ended.
   */
  closeFd(tgid: number, fd: number): string {
    const base = `${tgid}:${fd}`;
    const n = this.fdLifetimes.get(base);
    this.fdLifetimes.set(base, (n ?? 0) + 1);
    this.scannedFds.delete(base);
    this.fdsInUse.delete(base);
    this.fdLifetimesEnded++;
    return n === undefined ? base : `${base}/${n}`;
  }

  /**
   * An open or dup returned this fd: a new lifetime, unless nothing was known of the last one.
   * Returns the key of the lifetime that ended, if one did.
   */
  openFd(tgid: number, fd: number): string | undefined {
    return this.fdsInUse.has(`${tgid}:${fd}`) ? this.closeFd(tgid, fd) : undefined;
  }

  /**
   * A header or scan comment of `lockreplay record`: true when it is one, false when the line is
   * none of them, and why it is a bad line when it contradicts an earlier one (a bdi name mapped to
   * another device: the first mapping is kept) or is not in its kind's layout (a cut filesystem id,
   * a missing device, letters in a number: its mapping would be lost without a word).
   * `tgidShift`: added to an fd line's TGID (a trace-cmd input's tasks are moved by a multiple of
   * INPUT_PID_STRIDE: the input's scan names them).
   */
  comment(line: string, lineNo = 0, tgidShift = 0): boolean | string {
    const fd = /^#\s*lockreplay fd:\s+(\d+)\s+(\d+)\s+(\d+:\d+:\d+)\s*$/.exec(line);
    if (fd !== null) {
      // (numbers as events give them: "0007:000:0131" is the file an event calls 7:0:131)
      const [tgid, n] = [Number(fd[1]) + tgidShift, Number(fd[2])];
      const file = canonicalKey(fd[3]);
      this.scannedFds.set(`${tgid}:${n}`, file);
      this.learn(`fd:${this.fdKey(tgid, n)}`, file);
      return true;
    }
    const bdi = /^#\s*lockreplay bdi:\s+(\S+)\s+(\d+:\d+)\s*$/.exec(line);
    if (bdi !== null) {
      const dev = devOf(`dev ${bdi[2]}`) ?? bdi[2];
      const earlier = this.bdiDevs.get(bdi[1]);
      if (earlier !== undefined && earlier !== dev) {
        return `bdi ${utf8FromLatin1(bdi[1])} is device ${dev} here but ${earlier} on line ${this.bdiLines.get(bdi[1]) ?? '?'} (one name, one device in a capture)`;
      }
      this.bdiDevs.set(bdi[1], dev);
      if (earlier === undefined) this.bdiLines.set(bdi[1], lineNo);
      return true;
    }
    const btrfs = BTRFS_HEADER.exec(line);
    if (btrfs !== null) {
      const fsid = btrfs[1].toLowerCase();
      const dev = devOf(`dev ${btrfs[2]}`) ?? btrfs[2];
      // (a mapping learned from the events, pairBtrfs, has no line: a header line replaces it)
      const earlierLine = this.btrfsLines.get(fsid);
      const earlier = earlierLine === undefined ? undefined : this.btrfsDevs.get(fsid);
      if (earlier !== undefined && earlier !== dev) {
        return `btrfs ${btrfs[1]} is device ${dev} here but ${earlier} on line ${earlierLine} (one filesystem, one device in a capture)`;
      }
      // (a pairing of the events that the header contradicts: kept apart from here on, and said so)
      const paired = earlierLine === undefined ? this.btrfsDevs.get(fsid) : undefined;
      if (paired !== undefined && paired !== dev) this.conflict(fsid, { dev: paired, line: this.btrfsPairLines.get(fsid) ?? 0, by: 'events' }, { dev, line: lineNo, by: 'header' }, '');
      this.btrfsDevs.set(fsid, dev);
      if (earlierLine === undefined) this.btrfsLines.set(fsid, lineNo);
      return true;
    }
    const mount = /^#\s*lockreplay mount:\s+(\d+):(\d+)\s+(\S+)\s+\S/.exec(line);
    if (mount !== null) {
      // (numbers as file keys give them: "007:000" is device 7:0)
      const dev = `${Number(mount[1])}:${Number(mount[2])}`;
      // (a type is shown: in UTF-8, as the line is read as latin1)
      if (!this.fileSystems.has(dev)) this.fileSystems.set(dev, utf8FromLatin1(mount[3]));
      return true;
    }
    // a line of one of these kinds not in its layout would lose its mapping without a word
    return layoutProblem(line) ?? false;
  }

  /**
   * Two keys one syscall's events gave its file: a btrfs lookup's "FSID:N" (a filesystem id no
   * header mapped) and another event's "0:M:N" (iomap's `dev 0:M ino N`) tie that id to device
   * 0:M, for the keys made before (renamed at the end) and after. A capture without the header
   * then tells two btrfs filesystems apart where inode numbers alone cannot (both use 257 on).
   * The first pairing of an id wins. A pair that ties an id the header (or an earlier pairing)
   * mapped to another device is a contradiction: the keys stay apart, and btrfsConflicts says so
   * (`line`: the line of the event that made the pair).
   */
  pairBtrfs(a: string, b: string, line = 0): void {
    if (this.pairMapped(a, b, line) || this.pairMapped(b, a, line)) return;
    const [btrfs, numeric] = a.startsWith('0:') ? [b, a] : [a, b];
    const at = btrfs.indexOf(':');
    if (at !== 36 || btrfs.charCodeAt(8) !== 45 /* - */) return;
    const fsid = btrfs.slice(0, at);
    if (!UUID.test(fsid)) return;
    const m = /^(0:\d+):(\d+)$/.exec(numeric);
    if (m === null || m[2] !== btrfs.slice(at + 1)) return;
    const known = this.btrfsDevs.get(fsid);
    if (known !== undefined) {
      // (a key made before the id was mapped)
      if (known !== m[1]) this.conflict(fsid, this.firstWord(fsid, known), { dev: m[1], line, by: 'events' }, m[2]);
      return;
    }
    this.btrfsDevs.set(fsid, m[1]);
    this.btrfsPairLines.set(fsid, line);
  }

  /**
   * `lookup`, a key btrfsKey made through its filesystem id's mapping, and `other` ("0:M:N", the
   * same inode number on another device) in one syscall: the mapping is contradicted. True when
   * `lookup` is such a key (there is nothing else to learn from the pair).
   */
  private pairMapped(lookup: string, other: string, line: number): boolean {
    const fsid = this.mappedLookups.get(lookup);
    const m = fsid === undefined ? null : /^(0:\d+):(\d+)$/.exec(other);
    if (fsid === undefined || m === null) return false;
    // (both keys lookups of mapped ids: which one the syscall's own file is, the pair does not say)
    if (this.mappedLookups.has(other)) return true;
    const at = lookup.lastIndexOf(':');
    const dev = lookup.slice(0, at);
    if (m[2] === lookup.slice(at + 1) && m[1] !== dev) this.conflict(fsid, this.firstWord(fsid, dev), { dev: m[1], line, by: 'events' }, m[2]);
    return true;
  }

  /** what first tied `fsid` to `dev`: the header's line, or the events' pairing */
  private firstWord(fsid: string, dev: string): BtrfsDeviceWord {
    const headerLine = this.btrfsLines.get(fsid);
    return headerLine !== undefined ? { dev, line: headerLine, by: 'header' } : { dev, line: this.btrfsPairLines.get(fsid) ?? 0, by: 'events' };
  }

  private conflict(fsid: string, first: BtrfsDeviceWord, other: BtrfsDeviceWord, ino: string): void {
    const key = `${fsid} ${first.dev} ${other.dev}`;
    const c = this.btrfsConflicts.get(key);
    if (c === undefined) this.btrfsConflicts.set(key, { fsid, first, other, ino, lines: 1 });
    else c.lines++;
  }

  /**
   * "FSID: root=R(NAME) ino=N ..." (btrfs_get_extent, btrfs_sync_file) → "MAJ:MIN:N" when the
   * header mapped the filesystem, else "FSID:N" ("btrfs:N" without an id); null for the
   * filesystem's own inodes (object ids below 256, or of a tree that holds no user files: the
   * free-space cache's in ROOT_TREE, relocation's in DATA_RELOC_TREE); undefined when the body does not say.
   */
  btrfsKey(body: string): string | undefined | null {
    // (older kernels print no filesystem id: "root=5(FS_TREE) ino=272 ...", keyed "btrfs:N")
    const m = BTRFS_INODE.exec(body);
    if (m === null) return undefined;
    const root = Number(m[2]);
    // files live in FS_TREE (5) and in subvolumes (256 on); the kernel's trees have ids below 256
    // or negative ones (printed as u64: DATA_RELOC_TREE is 2^64 - 9)
    if (root !== BTRFS_FS_TREE_OBJECTID && (root < BTRFS_FIRST_FREE_OBJECTID || root >= 2 ** 63)) return null;
    const ino = Number(m[3]);
    if (ino < BTRFS_FIRST_FREE_OBJECTID) return null;
    const fsid = m[1]?.toLowerCase() ?? 'btrfs';
    const inoDigits = keyNumberAt(ino, m[3], 0, 10);
    const mapped = this.btrfsDevs.get(fsid);
    if (mapped === undefined) return `${fsid}:${inoDigits}`;
    const key = `${mapped}:${inoDigits}`;
    // (for pairBtrfs: a pair of this key and another device's is a contradiction of the mapping)
    if (fsid !== 'btrfs' && !this.mappedLookups.has(key)) this.mappedLookups.set(key, fsid);
    return key;
  }

  /** The file an fd of a process was scanned to be, if any. */
  scannedFd(tgid: number, fd: number): string | undefined {
    return this.scannedFds.get(`${tgid}:${fd}`);
  }

  /**
   * "bdi NAME: ino=N" → "MAJ:MIN:N" (numeric name, or mapped by the header), else "NAME:N"; null for
   * a filesystem's own metadata inode (btrfs keeps object ids below 256 for its trees: the btree
   * inode is 1), which is no file's data.
   */
  bdiKey(body: string, ino: number, inoDigits = String(ino)): string | undefined | null {
    const dev = devOf(body);
    if (dev !== undefined) return `${dev}:${inoDigits}`;
    const k = body.indexOf('bdi ');
    if (k < 0) return undefined;
    const colon = body.indexOf(':', k + 4);
    if (colon < 0) return undefined;
    const name = body.slice(k + 4, colon);
    if (name === '' || name.includes(' ') || name === '(unknown)') return undefined;
    if (name.startsWith('btrfs-') && ino < BTRFS_FIRST_FREE_OBJECTID) return null;
    const mapped = this.bdiDevs.get(name);
    return mapped === undefined ? `${name}:${inoDigits}` : `${mapped}:${inoDigits}`;
  }

  /** A file key an op was released with (for the renames at the end). */
  noteReleased(file: string): void {
    // (both notes are sets: a key noted once needs no second look)
    if (this.noted.has(file)) return;
    this.noted.add(file);
    if (isProvisional(file)) this.released.add(file);
    else if (file.split(':').length === 3) this.noteNumeric(file);
  }

  /** A numeric key seen in an event (for matching bdi names by inode number). */
  noteNumeric(file: string): void {
    const ino = file.slice(file.lastIndexOf(':') + 1);
    let set = this.byInode.get(ino);
    if (set === undefined) this.byInode.set(ino, (set = new Set()));
    set.add(file);
  }

  /** `provisional` turned out to be `file` (the first answer wins), and so did its copies. */
  learn(provisional: string, file: string): void {
    // a work list, not recursion: a chain of dups (dup(3) → 4, dup(4) → 5, ...) is as long as the
    // trace makes it, and one level of recursion per copy overflowed the call stack
    const todo = [provisional];
    for (let key = todo.pop(); key !== undefined; key = todo.pop()) {
      if (key === file || this.late.has(key)) continue;
      this.late.set(key, file);
      const copies = this.copies.get(key);
      if (copies !== undefined) for (const c of copies) todo.push(c);
    }
  }

  /** Two fd keys are one open file (a dup): whatever identifies one identifies the other. */
  sameFile(a: string, b: string): void {
    for (const [x, y] of [[a, b], [b, a]]) {
      const list = this.copies.get(x);
      if (list === undefined) this.copies.set(x, [y]);
      else list.push(y);
    }
    const known = this.late.get(a) ?? this.late.get(b);
    if (known !== undefined) {
      this.learn(a, known);
      this.learn(b, known);
    }
  }

  /** A wait on a sleeping per-inode lock (by address) inside a syscall on this fd ("fd:TGID:FD"). */
  noteLockWait(lockAddress: string, fdKey: string): void {
    let fds = this.lockWaiters.get(lockAddress);
    if (fds === undefined) this.lockWaiters.set(lockAddress, (fds = new Set()));
    fds.add(fdKey);
  }

  /**
   * fds that nothing else identifies, tied to a file by the lock they waited on: an address whose
   * identified waiters are all on one file names that file for its other waiters.
   */
  private learnFromLockWaits(): void {
    for (const fds of this.lockWaiters.values()) {
      const files = new Set<string>();
      for (const fd of fds) {
        const f = this.finalOf(fd);
        if (f !== fd && !isProvisional(f)) files.add(f);
      }
      if (files.size !== 1) continue;
      const [file] = files;
      for (const fd of fds) {
        if (!this.late.has(fd)) {
          this.late.set(fd, file);
          this.fdsFromLockWaits++;
        }
      }
    }
  }

  /** what a key turned out to be, following what was learned (itself when nothing was) */
  private finalOf(key: string, depth = 0): string {
    const next = this.late.get(key) ?? this.byMappedName(key) ?? this.byInodeNumber(key);
    return next === undefined || depth > 8 ? key : this.finalOf(next, depth + 1);
  }

  /** Final keys for the provisional keys that were released, where the trace identifies them. */
  aliases(): Map<string, string> {
    this.learnFromLockWaits();
    const out = new Map<string, string>();
    for (const key of [...this.released].sort()) {
      const f = this.finalOf(key);
      if (f !== key) out.set(key, f);
    }
    return out;
  }

  /**
   * "NAME:INO" whose name a mapping read after the key was made names (a `# lockreplay bdi:` or
   * `btrfs:` line written into the ring buffer, after the events it would have named) → "MAJ:MIN:INO"
   */
  private byMappedName(key: string): string | undefined {
    const at = key.lastIndexOf(':');
    if (at < 0 || key.startsWith('fd:') || key.indexOf(':') !== at) return undefined;
    const dev = this.bdiDevs.get(key.slice(0, at)) ?? this.btrfsDevs.get(key.slice(0, at));
    return dev === undefined ? undefined : `${dev}:${key.slice(at + 1)}`;
  }

  /** "NAME:INO" → the one numeric-device key with that inode number */
  private byInodeNumber(key: string): string | undefined {
    if (key.startsWith('fd:')) return undefined;
    const parts = key.split(':');
    if (parts.length !== 2) return undefined;
    const set = this.byInode.get(parts[1]);
    if (set === undefined || set.size !== 1) return undefined;
    const [only] = set;
    // a btrfs name ("btrfs-1", a filesystem id, "btrfs") is a btrfs file's: btrfs gives every
    // filesystem an anonymous device number (major 0), never a disk's (XFS's 7:1, ext4's 254:0)
    if (isBtrfsName(parts[0]) && !only.startsWith('0:')) return undefined;
    return only;
  }
}

/** one word on a btrfs filesystem's device: a header line's, or an events' pairing (pairBtrfs) */
export interface BtrfsDeviceWord {
  dev: string;
  line: number;
  by: 'header' | 'events';
}

/** a btrfs filesystem id tied to two devices: the first word kept, the other contradicting it */
export interface BtrfsDeviceConflict {
  fsid: string;
  first: BtrfsDeviceWord;
  other: BtrfsDeviceWord;
  /** the inode number of the first contradicting pairing ('' for a header line) */
  ino: string;
  /** lines that said `other` */
  lines: number;
}

/**
 * The import summary's notes on btrfs filesystem ids tied to two devices: which id, which devices,
 * by which lines, and whether files were split into keys on both (`fileKeys`: the import's files).
 */
export function btrfsConflictNotes(conflicts: ReadonlyMap<string, BtrfsDeviceConflict>, fileKeys: readonly string[]): string[] {
  const notes: string[] = [];
  for (const c of conflicts.values()) {
    const byDev = new Map<string, Set<string>>();
    for (const f of fileKeys) {
      const at = f.lastIndexOf(':');
      const dev = f.slice(0, at);
      if (dev !== c.first.dev && dev !== c.other.dev) continue;
      let set = byDev.get(dev);
      if (set === undefined) byDev.set(dev, (set = new Set()));
      set.add(f.slice(at + 1));
    }
    const onOther = byDev.get(c.other.dev) ?? new Set<string>();
    const both = [...(byDev.get(c.first.dev) ?? [])].filter((ino) => onOther.has(ino)).sort((x, y) => Number(x) - Number(y));
    const said = (w: BtrfsDeviceWord, ino: string) => (w.by === 'header' ? `the header's line ${w.line}` : `its events (line ${w.line}${ino !== '' ? `: an extent lookup of inode ${ino} in a syscall whose other events name ${w.dev}:${ino}` : ''})`);
    const more = c.lines > 1 ? `; ${c.lines - 1} more line${c.lines === 2 ? '' : 's'} said so` : '';
    const split = both.length > 0
      ? `${both.length} inode number${both.length === 1 ? ' has' : 's have'} keys on both devices (${both.slice(0, 3).map((ino) => `${c.first.dev}:${ino} and ${c.other.dev}:${ino}`).join(', ')}${both.length > 3 ? ', …' : ''}), kept apart: each may be one file split in two`
      : 'no inode number has keys on both devices';
    notes.push(`btrfs filesystem ${c.fsid} is device ${c.first.dev} by ${said(c.first, '')} but ${c.other.dev} by ${said(c.other, c.ino)}${more}: ${c.first.by === 'header' || c.other.by === 'header' ? 'the header\'s device names its files from that line on' : 'the first pairing names its files'}; ${split} (which device is right, the trace does not say)`);
  }
  return notes;
}

/** the layouts of the comments `comment` reads: each field's name and what it must be */
const LAYOUTS: Record<string, readonly (readonly [string, RegExp, string])[]> = {
  fd: [['TGID', /^\d+$/, 'a number'], ['FD', /^\d+$/, 'a number'], ['MAJ:MIN:INO', /^\d+:\d+:\d+$/, 'three numbers']],
  bdi: [['NAME', /^\S+$/, 'a name'], ['MAJ:MIN', /^\d+:\d+$/, 'two numbers']],
  btrfs: [['FSID', new RegExp(`^${UUID_TEXT}$`), 'a UUID (8-4-4-4-12 hex digits)'], ['MAJ:MIN', /^\d+:\d+$/, 'two numbers']],
  mount: [['MAJ:MIN', /^\d+:\d+$/, 'two numbers'], ['FSTYPE', /^\S+$/, 'a name'], ['MOUNTPOINT', /^\S+$/, 'a path']],
};

/**
 * What is wrong with a `# lockreplay fd|bdi|btrfs|mount:` line that its reader did not take, in
 * words; undefined for a line of another kind (`# lockreplay record:`, ...).
 */
function layoutProblem(line: string): string | undefined {
  const m = /^#\s*lockreplay (fd|bdi|btrfs|mount):(.*)$/.exec(line);
  if (m === null) return undefined;
  // an earlier recorder wrote the top subvolume's id between ("FSID 5 MAJ:MIN"; bundled captures
  // have it): read as it always was, a header comment whose mapping is not taken (taking it would
  // change those captures' line counts, and so their results)
  if (m[1] === 'btrfs' && EARLIER_BTRFS_HEADER.test(line)) return undefined;
  const layout = LAYOUTS[m[1]];
  const want = `in the layout "# lockreplay ${m[1]}: ${layout.map(([name]) => name).join(' ')}"`;
  const fields = m[2].trim() === '' ? [] : m[2].trim().split(/\s+/);
  // (a mount point is the rest of the line)
  for (let i = 0; i < Math.min(layout.length, fields.length); i++) {
    const [name, re, what] = layout[i];
    if (!re.test(fields[i])) return `not ${want}: ${name} "${clipField(fields[i])}" is not ${what}`;
  }
  const extra = m[1] !== 'mount' && fields.length > layout.length;
  if (fields.length < layout.length || extra) {
    return `not ${want}: ${fields.length} field${fields.length === 1 ? '' : 's'}${fields.length < layout.length ? `, no ${layout[fields.length][0]}` : `, ${layout.length} expected`}`;
  }
  return `not ${want}`;
}

/** a field of a line as shown in a message: in UTF-8 (lines are read as latin1), clipped */
function clipField(text: string): string {
  return clipText(utf8FromLatin1(text), 60);
}

/** the name part of a btrfs file's provisional key: a bdi name, a filesystem id, or "btrfs" (btrfsKey) */
function isBtrfsName(name: string): boolean {
  return name === 'btrfs' || name.startsWith('btrfs-') || UUID.test(name);
}

/** a key that is not MAJ:MIN:INO: "fd:TGID:FD" or "NAME:INO" */
function isProvisional(file: string): boolean {
  if (file.startsWith('fd:')) return true;
  const parts = file.split(':');
  // (mmap and munmap are keyed by their process: tgid:N, mm:HASH, pid:N)
  return parts.length === 2 && parts[0] !== 'tgid' && parts[0] !== 'mm' && parts[0] !== 'pid';
}

/** Renames ops' files and merges the per-file counts by `aliases`. */
export function renameFiles<T extends { file: string }>(items: T[], aliases: ReadonlyMap<string, string> | Record<string, string>): void {
  const map = aliases instanceof Map ? aliases : new Map(Object.entries(aliases));
  if (map.size === 0) return;
  for (const it of items) {
    const f = map.get(it.file);
    if (f !== undefined) it.file = f;
  }
}

export function renameCounts(byFile: Record<string, Record<string, number>>, aliases: ReadonlyMap<string, string> | Record<string, string>): Record<string, Record<string, number>> {
  const map = aliases instanceof Map ? aliases : new Map(Object.entries(aliases));
  if (map.size === 0) return byFile;
  const out: Record<string, Record<string, number>> = {};
  for (const [file, kinds] of Object.entries(byFile)) {
    const to = map.get(file) ?? file;
    const t = out[to] ?? (out[to] = {});
    for (const [k, n] of Object.entries(kinds)) t[k] = (t[k] ?? 0) + n;
  }
  return out;
}

/** "MAJ:MIN:INO" of a header line's digits as an event's key has them (devOf's device, the exact inode) */
function canonicalKey(digits: string): string {
  const at = digits.lastIndexOf(':');
  const ino = digits.slice(at + 1);
  return `${devOf(`dev ${digits.slice(0, at)}`) ?? digits.slice(0, at)}:${keyNumberAt(Number(ino), ino, 0, 10)}`;
}
