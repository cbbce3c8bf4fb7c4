/**
 * Fields as csvField last wrote them: an op stream repeats a few values on most of its rows (comms,
 * files, lock events, modes and callers), and the regular expression and trim per field were a
 * fifth of writing a lock row.
 */
const written = new Map<string, string>();
/** the most values kept (ever-new values are written without being kept), and the longest one */
const MAX_KEPT = 4096;
const MAX_KEPT_CHARS = 256;

/** A CSV field, quoted when it holds a comma, a quote, a line break or '#' (which csv-parse's comment option would cut at). */
export function csvField(text: string): string {
  const known = written.get(text);
  if (known !== undefined) return known;
  const field = !/[",\n\r#]/.test(text) && text.trim() === text ? text : `"${text.replace(/"/g, '""')}"`;
  if (written.size < MAX_KEPT && text.length <= MAX_KEPT_CHARS) written.set(text, field);
  return field;
}
