/**
 * Parses the fixed prefix of a tracefs `trace` / `trace_pipe` line (trace-formats.md §1.1):
 *   COMM-PID [(TGID)] [CPU] [FLAGS] SECONDS.MICROS: EVENT: BODY
 * Scans the line's bytes (the latin1 text is cut only for fields that are read): no regex on the hot path.
 */
import { ByteInterner, hashByte } from './byte-interner.js';

export const enum LineType {
  Event = 0,
  Blank = 1,
  Comment = 2,
  LostEvents = 3,
  Marker = 4,
  Bad = 5,
}

export const enum SyscallPhase {
  None = 0,
  Enter = 1,
  Exit = 2,
}

const NO_BYTES = new Uint8Array(0);

/** comms, interned by their bytes (a task's comm repeats on every line of it) */
const comms = new ByteInterner();

/**
 * Reused for every line: the parser writes positions into it and returns a LineType. The comm and
 * body strings are cut from the line only when a consumer asks for them (most events are not wanted).
 */
export class EventFields {
  text = '';
  /** the line's bytes: text index i is bytes[i + base] */
  bytes: Uint8Array = NO_BYTES;
  base = 0;
  commStart = 0;
  commEnd = 0;
  bodyStart = 0;
  bodyEnd = 0;
  pid = 0;
  /** -1 when the trace has no TGID column or prints (-----) */
  tgid = -1;
  cpu = 0;
  /** the CPU field's digits: text[cpuStart, cpuEnd) (as written: a CPU of 30 digits is no exact double) */
  cpuStart = 0;
  cpuEnd = 0;
  tsNs = 0;
  /** event name; for the kernel's syscall rendering, "sys_NAME" (with phase set) */
  event = '';
  /** the event name's number among the names this parser has kept (numbered from 0), -1 if not kept: what a caller knows of a name can be kept in an array */
  eventId = -1;
  phase: SyscallPhase = SyscallPhase.None;
  /** why a line is Bad, or the count of a LostEvents line ('' when it gives none) */
  note = '';
  private commText: string | undefined;
  private bodyText: string | undefined;

  /** kept (an own copy, shared per value: see util/strings.ts) */
  get comm(): string {
    if (this.commText === undefined) {
      const b = this.bytes;
      const from = this.commStart + this.base;
      const to = this.commEnd + this.base;
      let hash = 0;
      for (let i = from; i < to; i++) hash = hashByte(hash, b[i]);
      this.commText = comms.get(b, from, to, hash, this.text, this.base);
    }
    return this.commText;
  }

  /** the text after "EVENT: " (or the syscall arguments without parentheses, or the return value) */
  get body(): string {
    if (this.bodyText === undefined) this.bodyText = this.text.slice(this.bodyStart, this.bodyEnd);
    return this.bodyText;
  }

  reset(text: string, bytes: Uint8Array, base: number): void {
    this.text = text;
    this.bytes = bytes;
    this.base = base;
    this.commText = undefined;
    this.bodyText = undefined;
  }
}

export function newEventFields(): EventFields {
  return new EventFields();
}

const SPACE = 32, TAB = 9, HASH = 35, LBRACK = 91, RBRACK = 93, LPAREN = 40, RPAREN = 41, DASH = 45;
const DOT = 46, COLON = 58, ZERO = 48, NINE = 57, BACKSLASH = 92;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** The irq-info flag characters of trace_print_lat_fmt, plus hex digits for the depth columns. */
const FLAG_CHARS = (() => {
  const t = new Uint8Array(128);
  for (const c of '.dDbXNnpBLlZzHhs0123456789abcdef') t[c.charCodeAt(0)] = 1;
  return t;
})();

/**
 * Event names are interned: the name's hash is computed while scanning it, and a name seen before
 * is reused after a byte comparison, so no string is made per line.
 */
const eventNames = new ByteInterner();

/** Parses the line text[start, end) of a larger string (no per-line substring is made). */
export function parseFtraceLine(line: string, out: EventFields, start = 0, end = line.length): LineType {
  return parseFtraceBytes(Buffer.from(line, 'latin1'), 0, line, start, end, out);
}

/**
 * The same, scanning bytes: `text` is the latin1 decoding of `b` from byte `base` on (text index
 * i is byte i + base), and the line is text[start, end). Byte loads are what makes this fast: a
 * string's charCodeAt re-checks the string's representation on every call.
 */
export function parseFtraceBytes(b: Uint8Array, base: number, text: string, start: number, end: number, out: EventFields): LineType {
  out.reset(text, b, base);
  let i = start + base;
  let e0 = end + base;
  // JS-string-escaped systraces extracted from HTML end every line with "\n\".
  if (e0 - i >= 3 && b[e0 - 1] === BACKSLASH && b[e0 - 2] === 110 && b[e0 - 3] === BACKSLASH) e0 -= 3;
  const endB = e0;
  while (i < endB && (b[i] === SPACE || b[i] === TAB)) i++;
  if (i === endB) return LineType.Blank;
  const c0 = b[i];
  if (c0 === HASH) {
    const comment = i + 5 <= endB && b[i + 1] === HASH && b[i + 2] === HASH && b[i + 3] === HASH && b[i + 4] === HASH ? LineType.Marker : LineType.Comment;
    // a comm may begin with "#" ("#1"): tracefs and trace-cmd pad a comm on the left, so an event
    // line of such a task is indented, and a header comment never is (was: its events read as
    // comments, the task's ops lost without a word)
    if (i === start + base) return comment;
    const type = parseEventPrefix(b, base, text, i, endB, out);
    return type === LineType.Bad ? comment : type;
  }
  if (c0 === 67 /* C */ && text.startsWith('CPU:', i - base)) {
    // tracefs "CPU:N [LOST K EVENTS]", trace-cmd "CPU:N [K EVENTS DROPPED]", or "CPU:N [EVENTS
    // DROPPED]" when the ring buffer did not say how many
    const m = /^CPU:\s*(\d+)\s+\[(?:(?:LOST )?(\d+) EVENTS(?: DROPPED)?|EVENTS DROPPED)\]/.exec(text.slice(i - base, endB - base));
    if (m) {
      out.cpu = Number(m[1]);
      out.note = m[2] ?? '';
      return LineType.LostEvents;
    }
  }
  return parseEventPrefix(b, base, text, i, endB, out);
}

/** An event line from its first non-blank byte `i` to `endB`: "COMM-PID [(TGID)] [CPU] [FLAGS] SECONDS.MICROS: EVENT..." */
function parseEventPrefix(b: Uint8Array, base: number, text: string, i: number, endB: number, out: EventFields): LineType {
  // Find the CPU field: " [digits] " (or "\t[digits]"). The comm before it may contain anything,
  // " [1]" too: when a candidate leaves no prefix around it, the next one is tried, for a comm the
  // kernel can have (TASK_COMM_LEN: at most 15 bytes; a longer span is no comm but, say, two lines
  // run together, which stay a bad line). The first candidate's reason is the one given.
  let firstNote: string | undefined;
  for (let from = i; ; ) {
    let lb = from;
    let rb = -1;
    for (; lb < endB; lb++) {
      if (b[lb] !== LBRACK) continue;
      let k = lb + 1;
      while (k < endB && isDigit(b[k])) k++;
      if (k > lb + 1 && k < endB && b[k] === RBRACK && lb > i) {
        const before = b[lb - 1];
        if (before === SPACE || before === TAB) {
          rb = k;
          break;
        }
      }
    }
    if (rb < 0) return bad(out, firstNote ?? 'no "[CPU]" field: not an ftrace event line');
    const type = parseAroundCpu(b, base, text, i, lb, rb, endB, out, firstNote === undefined ? Infinity : MAX_COMM_BYTES);
    if (type !== LineType.Bad) return type;
    firstNote ??= out.note;
    out.note = firstNote;
    from = lb + 1;
  }
}

/** the longest comm the kernel keeps (TASK_COMM_LEN - 1) */
const MAX_COMM_BYTES = 15;

/**
 * The prefix around the CPU field b[lb..rb] ("[" and "]"), the line starting at its first non-blank
 * byte i and ending at endB: the fields left of it (COMM-PID, TGID), right of it (flags, time,
 * event, body). A comm longer than `maxCommBytes` is no prefix.
 */
function parseAroundCpu(b: Uint8Array, base: number, text: string, i: number, lb: number, rb: number, endB: number, out: EventFields, maxCommBytes: number): LineType {
  out.cpu = parseIntBytes(b, lb + 1, rb);
  out.cpuStart = lb + 1 - base;
  out.cpuEnd = rb - base;
  // Left of the CPU field: optional "(TGID)", then "COMM-PID".
  let j = lb - 1;
  while (j > i && (b[j] === SPACE || b[j] === TAB)) j--;
  out.tgid = -1;
  if (b[j] === RPAREN) {
    let lp = j - 1;
    while (lp >= i && b[lp] !== LPAREN) lp--;
    if (lp < i) return bad(out, 'unbalanced "(TGID)" field');
    let t = lp + 1;
    while (t < j && b[t] === SPACE) t++;
    if (t < j && isDigit(b[t])) {
      // (digits up to the ")": "(0x10)" was read as 7210, "( 500 )" as 4984)
      let d = t;
      while (d < j && isDigit(b[d])) d++;
      if (d < j) return bad(out, 'the "(TGID)" field is not a whole number');
      out.tgid = parseIntBytes(b, t, j);
      if (!Number.isSafeInteger(out.tgid)) return bad(out, 'the "(TGID)" field is beyond 2^53');
    }
    j = lp - 1;
    while (j > i && (b[j] === SPACE || b[j] === TAB)) j--;
  }
  const pidEnd = j + 1;
  // (the pid's value taken on the way: exact while it has at most 15 digits, as parseIntBytes gives it)
  let pid = 0;
  let unit = 1;
  while (j >= i) {
    const c = b[j];
    if (c < ZERO || c > NINE) break;
    pid += (c - ZERO) * unit;
    unit *= 10;
    j--;
  }
  if (j + 1 === pidEnd || j < i || b[j] !== DASH) return bad(out, 'no "COMM-PID" before the CPU field');
  if (j - i > maxCommBytes) return bad(out, 'comm longer than 15 bytes');
  out.pid = pidEnd - j - 1 <= 15 ? pid : parseIntBytes(b, j + 1, pidEnd);
  out.commStart = i - base;
  out.commEnd = j - base;
  // Right of the CPU field: optional irq flags (4 or 5 chars), then the timestamp.
  let k = rb + 1;
  while (k < endB && (b[k] === SPACE || b[k] === TAB)) k++;
  let tokEnd = k;
  // (whether the token is all irq-info flag characters, taken while it is scanned)
  let flagChars = true;
  while (tokEnd < endB) {
    const c = b[tokEnd];
    if (c === SPACE) break;
    if (c >= 128 || FLAG_CHARS[c] !== 1) flagChars = false;
    tokEnd++;
  }
  if (b[tokEnd - 1] !== COLON) {
    const flagLen = tokEnd - k;
    if (flagLen < 4 || flagLen > 5) return bad(out, 'irq-info flags field is not 4 or 5 characters');
    if (!flagChars) return bad(out, 'unknown character in the irq-info flags field');
    k = tokEnd;
    while (k < endB && b[k] === SPACE) k++;
    // the common timestamp, "digits.digits:" then a space or the line's end, read in one pass;
    // anything else is read by the token below (which gives the same value for this one)
    tokEnd = plainTimestampEnd(b, k, endB, out);
    if (tokEnd < 0) {
      tokEnd = k;
      while (tokEnd < endB && b[tokEnd] !== SPACE) tokEnd++;
      if (b[tokEnd - 1] !== COLON) return bad(out, 'no "SECONDS.MICROS:" timestamp');
      const problem = readTimestamp(b, k, tokEnd - 1, out);
      if (problem !== undefined) return bad(out, problem);
    }
  } else {
    const problem = readTimestamp(b, k, tokEnd - 1, out);
    if (problem !== undefined) return bad(out, problem);
  }
  // Event name, then body.
  let e = tokEnd + 1;
  while (e < endB && b[e] === SPACE) e++;
  const nameStart = e;
  let hash = 0;
  while (e < endB) {
    const c = b[e];
    if (c === COLON || c === LPAREN || c === SPACE) break;
    hash = hashByte(hash, c);
    e++;
  }
  if (e === nameStart) return bad(out, 'no event name after the timestamp');
  const stop = e < endB ? b[e] : -1;
  out.event = eventNames.get(b, nameStart, e, hash, text, base);
  out.eventId = eventNames.lastId;
  if (stop === COLON) {
    out.phase = SyscallPhase.None;
    let bs = e + 1;
    if (bs < endB && b[bs] === SPACE) bs++;
    out.bodyStart = bs - base;
    out.bodyEnd = endB - base;
    return LineType.Event;
  }
  if (stop === LPAREN) {
    // kernel syscall enter rendering: sys_pread64(fd: 7, buf: 0x..., count: 0x1000, pos: 0x0)
    let close = endB - 1;
    while (close >= e && b[close] !== RPAREN) close--;
    if (close < e) return bad(out, 'syscall arguments cut short (no closing parenthesis)');
    out.phase = SyscallPhase.Enter;
    out.bodyStart = e + 1 - base;
    out.bodyEnd = close - base;
    return LineType.Event;
  }
  if (stop === SPACE && e + 4 <= endB && b[e + 1] === DASH && b[e + 2] === 62 /* > */ && b[e + 3] === SPACE) {
    out.phase = SyscallPhase.Exit;
    out.bodyStart = e + 4 - base;
    out.bodyEnd = endB - base;
    return LineType.Event;
  }
  // a function-tracer line ("func <-parent") or an event without a body
  out.phase = SyscallPhase.None;
  out.bodyStart = (stop === SPACE ? e + 1 : endB) - base;
  out.bodyEnd = endB - base;
  return LineType.Event;
}

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * The timestamp b[k, tsEnd) ("digits[.digits]", the ':' after it not included) into out.tsNs, or
 * why it is none.
 */
function readTimestamp(b: Uint8Array, k: number, tsEnd: number, out: EventFields): string | undefined {
  let sec = 0;
  let t = k;
  while (t < tsEnd && isDigit(b[t])) sec = sec * 10 + (b[t++] - ZERO);
  if (t === k) return 'timestamp is not a number';
  let ns = sec * 1e9;
  if (t < tsEnd) {
    if (b[t] !== DOT) return 'timestamp is not a number';
    t++;
    let frac = 0;
    let digits = 0;
    while (t < tsEnd && isDigit(b[t])) {
      if (digits < 9) {
        frac = frac * 10 + (b[t] - ZERO);
        digits++;
      }
      t++;
    }
    if (t !== tsEnd || digits === 0) return 'timestamp is not a number';
    ns += frac * POW10[9 - digits];
  }
  out.tsNs = ns;
  return undefined;
}

/**
 * A timestamp "digits.digits:" at b[k] that ends its token (a space or endB after the ':'): its
 * value into out.tsNs (as readTimestamp gives it) and the token's end (after the ':'), or -1 for
 * any other token (then nothing is set).
 */
function plainTimestampEnd(b: Uint8Array, k: number, endB: number, out: EventFields): number {
  let sec = 0;
  let t = k;
  let c = 0;
  while (t < endB) {
    c = b[t];
    if (c < ZERO || c > NINE) break;
    sec = sec * 10 + (c - ZERO);
    t++;
  }
  if (t === k || t === endB || c !== DOT) return -1;
  t++;
  let frac = 0;
  let digits = 0;
  while (t < endB) {
    c = b[t];
    if (c < ZERO || c > NINE) break;
    if (digits < 9) {
      frac = frac * 10 + (c - ZERO);
      digits++;
    }
    t++;
  }
  if (digits === 0 || t === endB || c !== COLON || (t + 1 < endB && b[t + 1] !== SPACE)) return -1;
  out.tsNs = sec * 1e9 + frac * POW10[9 - digits];
  return t + 1;
}

function parseIntBytes(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (b[i] - ZERO);
  return v;
}

function bad(out: EventFields, reason: string): LineType {
  out.note = reason;
  return LineType.Bad;
}
