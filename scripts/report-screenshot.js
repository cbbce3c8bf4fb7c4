// The README's screenshot (docs/report-screenshot.png): the HTML report of the demo's compare
// (every strategy on xfs-mix, open mode x0.05), the top of the page in headless Chromium at
// 1280 x 1100 px. Usage: npm run screenshot (builds first); CHROMIUM=path overrides the browser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'report-screenshot.png');
const dir = mkdtempSync(join(tmpdir(), 'lockreplay-screenshot-'));
try {
  const html = join(dir, 'xfs-mix-compare.html');
  // run from the project folder, so the report names the trace as the README does
  execFileSync(process.execPath, [join(root, 'bin', 'run.js'), 'compare', 'traces/xfs-mix.trace.gz', '--all', '--mode', 'open', '--time-scale', '0.05', '--html', html],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '1' } });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(`file://${html}`);
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
