/**
 * Text for a terminal made of strings from a trace or a result (a trace's path, a task's comm, a
 * user module's strategy name): control characters (ANSI escape sequences, carriage returns, tabs)
 * shown as "?", one for one, so that table columns stay aligned.
 */

/** one value: every control character, line breaks too, shown as "?" */
export function terminalSafe(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}

/** a whole text: as terminalSafe, but its own line breaks kept */
export function terminalText(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}
