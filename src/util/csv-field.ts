/** A CSV field, quoted when it holds a comma, a quote, a line break or '#' (which csv-parse's comment option would cut at). */
export function csvField(text: string): string {
  if (!/[",\n\r#]/.test(text) && text.trim() === text) return text;
  return `"${text.replace(/"/g, '""')}"`;
}
