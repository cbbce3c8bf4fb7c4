/**
 * Rows of CSV lines without quotes, split without csv-parse (csv.ts uses csv-parse for any line
 * with a quote, and tests compare the two): csv-parse with the options csv.ts gives it made 60% of
 * a CSV import's time (a record info object per row). A field is what csv-parse gives with ltrim
 * and rtrim: leading CR, LF, form feeds, spaces and tabs (bytes csv-parse trims) dropped, then
 * trailing white space (String.prototype.trimEnd, as csv-parse does).
 */

/** the bytes csv-parse's ltrim drops at a field's start */
function leftTrimmable(code: number): boolean {
  return code === 32 || code === 9 || code === 12 || code === 13 || code === 10;
}

/** the field as csv-parse gives it (ltrim, rtrim) */
function trimmed(field: string): string {
  if (field.length === 0) return field;
  let from = 0;
  while (from < field.length && leftTrimmable(field.charCodeAt(from))) from++;
  return (from > 0 ? field.slice(from) : field).trimEnd();
}

/** Splits one line (no quote in it; without its LF, nor the CR of a CR LF) into fields. */
export type PlainSplitter = (line: string) => string[];

/**
 * The splitter for `delimiter` as csv.ts configures csv-parse (" " is spaces or tabs), or undefined
 * when lines with this delimiter are left to csv-parse (a character other than a printable ASCII one
 * or a tab).
 */
export function plainSplitter(delimiter: string): PlainSplitter | undefined {
  if (delimiter === ' ') return (line) => line.split(SPACE_OR_TAB).map(trimmed);
  if (delimiter.length !== 1) return undefined;
  const code = delimiter.charCodeAt(0);
  if (code !== 9 && !(code > 32 && code < 127 && code !== QUOTE)) return undefined;
  return (line) => {
    const fields = line.split(delimiter);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      // (most fields need no trimming: a printable ASCII character at both ends)
      const first = f.charCodeAt(0);
      const last = f.charCodeAt(f.length - 1);
      if (!(first > 32 && first < 127 && last > 32 && last < 127)) fields[i] = trimmed(f);
    }
    return fields;
  };
}

/**
 * Whether csv-parse makes no record of `rest`, the input's last line (no LF after it): it does not
 * when the line is only bytes it trims, none of them a delimiter.
 */
export function noLastRecord(rest: string, delimiter: string): boolean {
  for (let i = 0; i < rest.length; i++) {
    const code = rest.charCodeAt(i);
    if (!leftTrimmable(code)) return false;
    if (delimiter === ' ' ? code === 32 || code === 9 : code === delimiter.charCodeAt(0)) return false;
  }
  return true;
}

const SPACE_OR_TAB = /[ \t]/;
/** '"', the byte that makes a line csv-parse's to read */
export const QUOTE = 34;
