// What this machine's cores give to parallel work, as a ceiling for the compare speed-up: the same
// kernel run once on one thread, then once on each of N worker threads at the same time. A kernel
// that scales shows speed-up ~N (N × one-thread time ÷ parallel wall time). Two kernels: pure CPU
// (integer arithmetic in registers) and memory-bound (random reads and writes over 128 MB, the
// access pattern of a replay's working set that does not fit in cache). Prints JSON.
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

function kernel(kind) {
  let x = 0;
  if (kind === 'cpu') {
    for (let i = 0; i < 2e8; i++) x = (x + i * 7) % 1000003;
  } else if (kind === 'fresh-memory') {
    // first touches of new memory, in random order: every page is faulted in by the kernel
    for (let r = 0; r < 4; r++) {
      const a = new Float64Array(1 << 22);
      for (let i = 0; i < a.length; i += 64) a[Math.imul(i, 2654435761) & (a.length - 1)] = i;
      x += a[7];
    }
  } else {
    const a = new Float64Array(1 << 24);
    for (let i = 0; i < a.length; i++) a[i] = i;
    for (let r = 0; r < 3; r++) for (let i = 0; i < a.length; i++) a[Math.imul(i, 2654435761) & (a.length - 1)] += i;
    x = a[5];
  }
  return x;
}

if (!isMainThread) {
  parentPort.postMessage('ready');
  parentPort.once('message', () => {
    kernel(workerData);
    parentPort.postMessage('done');
  });
} else {
  const threads = Number(process.argv[2] ?? Math.max(2, availableParallelism()));
  const out = { threads };
  for (const kind of ['cpu', 'memory', 'fresh-memory']) {
    const t0 = performance.now();
    kernel(kind);
    const oneMs = performance.now() - t0;
    // workers start first (their startup is not the kernel's), then all run the kernel at once
    const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: kind }));
    const next = (w) => new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await Promise.all(workers.map(next));
    const t1 = performance.now();
    const finished = workers.map(next);
    for (const w of workers) w.postMessage('go');
    await Promise.all(finished);
    const parallelMs = performance.now() - t1;
    await Promise.all(workers.map((w) => w.terminate()));
    out[kind] = { oneMs, parallelMs, speedup: (threads * oneMs) / parallelMs };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
