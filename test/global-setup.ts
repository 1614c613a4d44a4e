// Before the suite: compile the CLI (spawned tests run bin/geosift.js) and generate every fixture (idempotent).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: repoRoot });
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'make-fixtures.mjs')], { stdio: 'inherit', cwd: repoRoot });
}
