// Which command-line arguments are scenes to open (first launch and second-instance argv alike).
import { isAbsolute, resolve } from 'node:path';

/**
 * argv as Electron gives it: [exe, (app path when not packaged), ...]. Chromium switches and
 * our own flags are skipped; relative paths are resolved against the launching shell's folder.
 */
export function scenesFromArgv(argv: readonly string[], options: { isPackaged: boolean; cwd: string }): string[] {
  const args = argv.slice(options.isPackaged ? 1 : 2);
  const out: string[] = [];
  let afterDashes = false;
  for (const a of args) {
    if (!afterDashes && a === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && a.startsWith('-')) continue;
    if (/^https?:\/\//i.test(a)) out.push(a);
    else if (/\.(tif|tiff)$/i.test(a)) out.push(isAbsolute(a) ? a : resolve(options.cwd, a));
  }
  return out;
}
