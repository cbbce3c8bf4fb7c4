import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

describe('README samples', () => {
  it('every sample output in the README is what its commands print now (npm run readme rewrites them)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'readme-samples.js'), '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/every sample matches/);
  }, 200_000);
});
