/**
 * The seed corpora of the fuzz campaign: real lines of every input format, from the bundled
 * captures and the public fixtures (the heads of the large ones), and an op stream made by an
 * import of a real capture (what `import --out` writes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { importTrace, type ImportOptions } from '../../src/import/index.js';
import { opRow, opStreamFooter, opStreamHeader } from '../../src/import/opstream.js';
import type { Op } from '../../src/model/op.js';
import { FIXTURES, TRACES } from '../helpers.js';

export interface Corpus {
  /** the format's name in reports and reproducer file names */
  format: string;
  /** the file extension of a reproducer (the format detection reads it for CSV) */
  ext: string;
  /** lines a mutated input may start with (a trace header) */
  header: string[];
  /** real lines to take windows of */
  lines: string[];
  /** lines a mutated input may end with (the op stream's summary footer) */
  trailer: string[];
  /** where a window may start (lines that begin an op), indices into lines */
  starts: number[];
  /** import options every run of this corpus uses (the format, a CSV preset) */
  options: ImportOptions;
}

/** at most this many compressed bytes of a gzip file are read: its head is enough */
const HEAD_COMPRESSED_BYTES = 96 << 10;
/** lines kept per source file */
const LINES_PER_SOURCE = 6000;

function headLines(path: string): string[] {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = gunzipSync(bytes.subarray(0, HEAD_COMPRESSED_BYTES), { finishFlush: constants.Z_SYNC_FLUSH });
  }
  const lines = bytes.toString('latin1').split('\n');
  // a partial head ends inside a line: drop it
  if (lines.length > LINES_PER_SOURCE) return lines.slice(0, LINES_PER_SOURCE);
  return lines.length > 1 ? lines.slice(0, -1) : lines;
}

function corpus(format: string, ext: string, paths: string[], options: ImportOptions, headerOf: (l: string) => boolean, startOf: (l: string) => boolean): Corpus {
  const header: string[] = [];
  const lines: string[] = [];
  for (const p of paths) {
    for (const l of headLines(p)) {
      if (headerOf(l)) {
        if (!header.includes(l)) header.push(l);
      } else {
        lines.push(l);
      }
    }
  }
  const starts = lines.flatMap((l, i) => (startOf(l) ? [i] : []));
  return { format, ext, header, lines, trailer: [], starts: starts.length > 0 ? starts : [0], options };
}

const FTRACE_OP_START = /sys_enter|page_fault|xfs_file|ext4_|filemap|block_rq|mmap|: [QDC] /;

let cached: Corpus[] | undefined;

/** Every format's corpus (built once per process). */
export async function corpora(): Promise<Corpus[]> {
  if (cached !== undefined) return cached;
  const pub = (p: string): string => join(FIXTURES, 'public', p);
  const tr = (p: string): string => join(TRACES, p);
  const comment = (l: string): boolean => l.startsWith('#');
  const list: Corpus[] = [
    corpus('ftrace', 'trace', ['xfs-mix.trace.gz', 'ext4-mix.trace.gz', 'xfs-nested-fault.trace.gz', 'xfs-dio-blk-tracer.trace.gz', 'xfs-mmap-truncate.trace.gz', 'xfs-contended-mixed-sched.trace.gz', 'btrfs-fdreuse.trace.gz'].map(tr).concat(pub('trappy/trace_filesystem.txt')),
      { format: 'ftrace' }, comment, (l) => FTRACE_OP_START.test(l)),
    corpus('trace-cmd', 'txt', ['raw_trace.txt', 'trace_idle_unsorted.txt', 'trace_sched.txt', 'trace_failed_to_parse.txt'].map((n) => pub(`trappy/${n}`)),
      { format: 'trace-cmd' }, (l) => /^(cpus=|version = |CPU \d+ is empty)/.test(l), () => true),
    corpus('blkparse', 'blkparse.txt', [tr('loop0-dio-randrw.blkparse.txt.gz'), pub('blktrace_viewer/sample.blkparse.txt.gz')],
      { format: 'blkparse' }, () => false, (l) => / Q /.test(l)),
    corpus('csv-cloudphysics', 'csv', [pub('libcachesim/cloudPhysicsIO.csv.gz')], { format: 'csv', csvPreset: 'cloudphysics' }, (l) => l.startsWith('version,'), () => true),
    corpus('csv-disksim', 'csv', [pub('mqsim/tpcc-small.trace.gz')], { format: 'csv', csvPreset: 'disksim' }, () => false, () => true),
    corpus('fio-iolog', 'iolog', [pub('fio/t0038.iolog')], { format: 'fio-iolog' }, (l) => l.startsWith('fio version'), () => true),
  ];
  list.push(await opStreamCorpus());
  cached = list;
  return list;
}

/** An op stream of a real capture's first ops, as `import --out` writes it. */
async function opStreamCorpus(): Promise<Corpus> {
  const ops: Op[] = [];
  const summary = await importTrace(join(TRACES, 'xfs-nested-fault.trace.gz'), { op: (o) => { if (ops.length < 3000) ops.push(o); }, lock: () => undefined }, {});
  const text = opStreamHeader() + ops.map(opRow).join('') + opStreamFooter(summary);
  const all = text.split('\n').slice(0, -1);
  const header = all.slice(0, 2);
  const lines = all.slice(2, -1);
  return { format: 'ops', ext: 'ops.csv', header, lines, trailer: all.slice(-1), starts: lines.flatMap((l, i) => (l.startsWith('op,') && l.split(',')[11] === '' ? [i] : [])), options: { format: 'ops' } };
}
