// Floor (c), for context beside floor (b): the reading the importer does before it builds anything,
// with its own code. The importer's line splitter (64 KiB latin1 pieces), its validating prefix parser
// (comm, pid, tgid, CPU, irq flags, timestamp, interned event name, syscall phase), and its byte-level
// body readers: the `xfs_ilock`/`xfs_iunlock` body, a syscall's arguments and return value, the inode
// of every other body that names one. No ops, pending syscalls, lock records or release queue: what is
// left of an import's time above this is the op builder's. It reads less than an import does (fault
// addresses, writeback ranges and the other bodies' fields are not read), so an import can be no
// faster than this with the present readers. Prints JSON with lines and ms.
import { closeSync, openSync, readSync } from 'node:fs';
import { peakRssKb } from './peak-rss.js';
import { LineSplitter } from '../dist/import/lines.js';
import { newEventFields, parseFtraceBytes } from '../dist/import/ftrace-prefix.js';
import { IlockBody } from '../dist/import/ilock-body.js';
import { SyscallArgs, syscallReturn } from '../dist/import/syscall-body.js';
import { InodeBody } from '../dist/import/inode-body.js';

const path = process.argv[2];
const EVENT = 0, ENTER = 1, EXIT = 2;
const ILOCK = 1, ARGS = 2, RETURN = 3, INODE = 4;
const ev = newEventFields();
const ilock = new IlockBody();
const args = new SyscallArgs();
const inode = new InodeBody();
/** by event name's number: which body reader it takes */
const readerOf = [];
let sink = 0;
let events = 0;

function onLine(text, start, end, lineNo, bytes, base) {
  if (parseFtraceBytes(bytes, base, text, start, end, ev) !== EVENT) return;
  events++;
  let reader = ev.eventId >= 0 ? readerOf[ev.eventId] : undefined;
  if (reader === undefined) {
    reader = ev.event === 'xfs_ilock' || ev.event === 'xfs_iunlock' ? ILOCK : ev.phase === ENTER ? ARGS : ev.phase === EXIT ? RETURN : INODE;
    if (ev.eventId >= 0) readerOf[ev.eventId] = reader;
  }
  const b = ev.bytes;
  const from = ev.bodyStart + ev.base;
  const to = ev.bodyEnd + ev.base;
  if (reader === ILOCK) {
    if (ilock.read(b, from, to, text, base)) sink += ilock.key.length + ilock.flags.length;
  } else if (reader === ARGS) {
    if (args.read(b, from, to)) sink++;
  } else if (reader === RETURN) {
    sink += syscallReturn(b, from, to) ?? 0;
  } else {
    sink += inode.key(b, from, to, 16)?.length ?? 0;
  }
}

const t0 = performance.now();
const splitter = new LineSplitter(onLine, undefined, () => undefined);
const fd = openSync(path, 'r');
const chunk = Buffer.allocUnsafe(1 << 20);
for (;;) {
  const n = readSync(fd, chunk, 0, chunk.length, null);
  if (n === 0) break;
  splitter.push(n === chunk.length ? chunk : chunk.subarray(0, n));
}
const lines = splitter.end();
closeSync(fd);
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ lines, events, ms, sink, maxRssKb: peakRssKb() })}\n`);
