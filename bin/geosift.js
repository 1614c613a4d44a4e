#!/usr/bin/env node
// The installed `geosift` command; the TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('geosift: not built yet: run `npm run build` (npm install does it for you)\n');
  process.exit(70);
}
await import(entry.href);
