/**
 * Text for a terminal made of strings from a trace or a result (a trace's path, a task's comm, a
 * user module's strategy name): control characters (ANSI escape sequences, carriage returns, tabs)
 * shown as "?", one for one, so that table columns stay aligned. Line breaks are the text's own.
 */
export function terminalText(text: string): string {
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, '?');
}
