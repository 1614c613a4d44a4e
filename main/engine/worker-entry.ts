// Where a worker thread's entry module is: `<name>.js` beside the calling module in the compiled build (dist/), or,
// under the TypeScript sources (vitest, jiti), `<name>.ts` run through jiti's ESM hooks in the worker.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerEntry {
  url: URL;
  execArgv?: string[];
}

/** `base`: the calling module's import.meta.url; `name`: the entry module's name without extension. */
export function workerEntry(base: string, name: string): WorkerEntry {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return { url: js };
  const ts = new URL(`./${name}.ts`, base);
  // jiti exports its register hook for `import` only: find it beside its CommonJS entry.
  const jiti = createRequire(base).resolve('jiti');
  const register = pathToFileURL(jiti.replace(/[^/\\]+$/, 'jiti-register.mjs')).href;
  return { url: ts, execArgv: ['--import', register] };
}
