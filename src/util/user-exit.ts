/** What process.exit() throws while a user strategy module's code runs (strategies/exit-guard.ts), for the caller to name. */
export class UserExit extends Error {
  constructor(readonly code: unknown) {
    super(`called process.exit(${describeCode(code)})`);
  }
}

function describeCode(code: unknown): string {
  if (code === undefined) return '';
  return typeof code === 'number' || typeof code === 'string' ? JSON.stringify(code) : typeof code;
}
