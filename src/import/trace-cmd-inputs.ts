/**
 * trace-cmd report's per-line buffer prefix. With several inputs (-i A -i B) trace-cmd prints
 * "NAME: " (right-justified to the longest name) before every line, the header's "NAME: cpus=N"
 * of each input too; with one input that has buffer instances, it prints the input's base name or
 * the instance's name before every event line, and the header line "cpus=N" has none.
 *
 * A task's comm may contain ": " ("v1.2: x"), so the prefix is read only where it is unambiguous:
 * - a name the header declared ("NAME: cpus=N"): only such a name, as the line's first field;
 * - otherwise trace-cmd's layout: the comm is right-justified in a 16-column field before "-PID"
 *   (a comm has at most 15 bytes, so the field starts with a blank), the line's first columns
 *   without a prefix; a prefix is what precedes that field, ending in ":". A comm's own ": " lies
 *   inside the field.
 */

/** the columns trace-cmd gives the comm before "-PID" ("%16s-%-5d") */
const COMM_COLUMNS = 16;

export interface PrefixSplit {
  /** the prefix's name (a declared input, or a buffer) */
  name: string;
  /** the input's number (from 0, in the header's order), or -1 for a name the header did not declare */
  input: number;
  comm: string;
}

export class TraceCmdInputs {
  /** declared input name → its number */
  private readonly declared = new Map<string, number>();
  /** the declared names, in the header's order */
  readonly names: string[] = [];

  /** the input a prefixed drop marker named, for the event line after it (-1: none, or no declared input) */
  private dropped = -1;

  /**
   * A drop marker after the prefix NAME ("NAME: CPU:0 [5 EVENTS DROPPED]"): trace-cmd prints the
   * prefix once, then the marker, a line break and the event, so the next event line has none.
   */
  dropMarker(name: string): void {
    this.dropped = this.declared.get(name) ?? -1;
  }

  /** The input of an event line without a prefix: the one a drop marker just named, else -1 (none). */
  afterDropMarker(): number {
    return this.dropped;
  }

  /** An event line was read: a drop marker names the one after it only. */
  eventLineDone(): void {
    this.dropped = -1;
  }

  /** A header line "NAME: cpus=N" declares the input NAME (again: no change); its number. */
  declare(name: string): number {
    const known = this.declared.get(name);
    if (known !== undefined) return known;
    this.declared.set(name, this.names.length);
    this.names.push(name);
    return this.names.length - 1;
  }

  /** The input of an event line (-1: none declared), as split() and a drop marker before it say. */
  inputOf(text: string, commStart: number, commEnd: number): number {
    const pre = this.split(text, commStart, commEnd);
    return pre !== undefined ? pre.input : this.dropped;
  }

  /**
   * The prefix of an event line, from the line's text: the comm field is text[commStart, commEnd)
   * (from the first non-blank to the "-" before the pid); undefined when the line has none.
   */
  split(text: string, commStart: number, commEnd: number): PrefixSplit | undefined {
    if (this.declared.size > 0) {
      const colon = text.indexOf(':', commStart);
      if (colon > commStart && colon + 1 < commEnd && isBlank(text.charCodeAt(colon + 1))) {
        const input = this.declared.get(text.slice(commStart, colon));
        const comm = text.slice(colon + 2, commEnd).trim();
        if (input !== undefined && comm !== '') return { name: text.slice(commStart, colon), input, comm };
      }
    }
    // trace-cmd's layout: "NAME: " then the comm right-justified in its 16 columns (which are the
    // line's first without a prefix: anything before them is one)
    const field = commEnd - COMM_COLUMNS;
    if (field <= commStart || !isBlank(text.charCodeAt(field))) return undefined;
    let colon = field - 1;
    while (colon > commStart && isBlank(text.charCodeAt(colon))) colon--;
    if (colon <= commStart || text.charCodeAt(colon) !== 58 /* : */) return undefined;
    const name = text.slice(commStart, colon);
    const comm = text.slice(field, commEnd).trim();
    if (comm === '' || /\s/.test(name)) return undefined;
    return { name, input: this.declared.get(name) ?? -1, comm };
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
