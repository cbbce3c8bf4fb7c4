/**
 * Text for a terminal made of strings from a trace or a result (a trace's path, a task's comm, a
 * user module's strategy name): control characters (ANSI escape sequences, carriage returns, tabs,
 * line breaks) shown as "?", one for one, so that table columns stay aligned and a value stays on
 * its line; so are Unicode's line and paragraph separators and its bidirectional overrides and
 * isolates (U+202A-U+202E, U+2066-U+2069), which a terminal that reorders right-to-left text
 * applied to the rest of the line.
 */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** one value: every control character, line breaks too, shown as "?" */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '?');
}

/** a whole text: as terminalSafe, but its own line breaks kept */
export function terminalText(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}

/**
 * A copy of `value` (plain data: a result, an import summary) with every string in it terminalSafe,
 * so that no value breaks a line of the text made from it. Keys are kept as they are: a key that is
 * shown (a lock class, a file) is a table cell, made safe there.
 */
export function printable<T>(value: T): T {
  if (typeof value === 'string') return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map(printable) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printable(v)])) as T;
  return value;
}
