// Replays a trace against built-in strategies and the TypeScript one of rwsem-range.ts.
// Build and run: npx tsc -p examples/library && node examples/library/out/replay.js [TRACE]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, formatCompare, importTrace, LockreplayError } from 'lockreplay';
import { rwsemRange } from './rwsem-range.js';

// default: a capture bundled with the package
const bundled = join(dirname(fileURLToPath(import.meta.resolve('lockreplay/package.json'))), 'traces', 'xfs-mix.trace.gz');
try {
  const trace = await importTrace(process.argv[2] ?? bundled);
  const result = await compare(trace, ['none', 'i-mutex', 'range-lock', 'linux:xfs', rwsemRange], { mode: 'open', timeScale: 0.05 });
  process.stdout.write(formatCompare(result));
  const mine = result.results.find((r) => r.strategy === rwsemRange.name);
  if (mine === undefined || mine.deadlock !== null || mine.races.count > 0) process.exitCode = 1;
} catch (err) {
  if (!(err instanceof LockreplayError)) throw err;
  console.error(`replay: ${err.message}`);
  process.exitCode = err.exitCode;
}
