// Generates every fixture once before the suite (scripts/make-fixtures.mjs is idempotent).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'make-fixtures.mjs')], { stdio: 'inherit', cwd: repoRoot });
}
