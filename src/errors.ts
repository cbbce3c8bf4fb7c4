/** Exit codes: documented in README.md ("Exit codes"). Each class of failure has its own. */
export const ExitCode = {
  ok: 0,
  /** unexpected internal failure (a bug): still printed without a stack unless LOCKREPLAY_DEBUG=1 */
  internal: 1,
  /** bad flags or arguments */
  usage: 2,
  /** an input file is missing or unreadable */
  inputUnreadable: 3,
  /** an input line could not be parsed (strict mode) */
  badInput: 4,
  /** the input is not a trace of a known format */
  unknownFormat: 5,
  /** the output could not be written */
  outputFailed: 6,
  /** `check` found a regression against the baseline */
  regression: 10,
  /** `check` / `merge`: the results cannot be compared or merged (other trace, options, strategies) */
  incompatible: 11,
  /** `record`: not root */
  notRoot: 12,
  /** `record`: no tracefs */
  noTracefs: 13,
  /** `record`: an event that does not exist on this kernel */
  unknownEvent: 14,
  /** `record`: the command to run was not found */
  commandNotFound: 15,
  /** `record`: another capture is using tracefs */
  captureBusy: 16,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: a clear message, a distinct exit code, never a stack trace. */
export class LockreplayError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue) {
    super(message);
    this.name = 'LockreplayError';
    this.exitCode = exitCode;
  }
}

/** A line of input that cannot be understood: names the file and the 1-based line. */
export class BadInputError extends LockreplayError {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  constructor(file: string, line: number, reason: string, excerpt?: string) {
    const shown = excerpt === undefined ? '' : `\n  ${clip(excerpt, 160)}`;
    super(`${file}:${line}: ${reason}${shown}`, ExitCode.badInput);
    this.name = 'BadInputError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/** `text` with its control characters as "?", clipped (clipText) */
export function clip(text: string, maxChars: number): string {
  // (C1 controls too: a trace byte 0x9b, read as latin1, is U+009B, a terminal's CSI)
  return clipText(text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?'), maxChars);
}

/**
 * `text` cut to at most `maxChars` UTF-16 code units and marked with "…" when it was longer,
 * never between the two halves of a character beyond U+FFFF (an emoji): half of one is no text.
 */
export function clipText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
