// hdr-histogram-js recording speed in JS and WebAssembly mode, on the same values.
import * as hdr from 'hdr-histogram-js';

const n = 2_000_000;
const values = new Float64Array(n);
let x = 12345;
for (let i = 0; i < n; i++) {
  x = (x * 1103515245 + 12345) % 2147483648;
  values[i] = 1000 + (x % 5_000_000);
}
const out = {};
hdr.initWebAssemblySync();
for (const wasm of [false, true, false, true]) {
  const h = hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 3, useWebAssembly: wasm });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) h.recordValue(values[i]);
  const ms = performance.now() - t0;
  out[wasm ? 'wasm' : 'js'] = { recordsPerSec: n / (ms / 1000), p99: h.getValueAtPercentile(99) };
  if (wasm) h.destroy();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
