import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { checkLayers } from '../../../scripts/check-layers.mjs';

describe('layering rule', () => {
  it('finds no violation in the project', () => {
    expect(checkLayers()).toEqual([]);
  });
  it('flags shared/ using Node, the engine importing the CLI, and a second onnxruntime importer', () => {
    const root = mkdtempSync(join(tmpdir(), 'layers-'));
    mkdirSync(join(root, 'scripts'));
    copyFileSync(join(process.cwd(), 'scripts', 'dependency-classes.json'), join(root, 'scripts', 'dependency-classes.json'));
    for (const d of ['shared/geo', 'main/engine/tasks', 'main/cli', 'renderer']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'shared/geo/a.ts'), "import { readFileSync } from 'node:fs';\n");
    writeFileSync(join(root, 'main/engine/tasks/b.ts'), "import { runCli } from '../../cli/main.js';\nimport * as ort from 'onnxruntime-node';\n");
    writeFileSync(join(root, 'main/cli/main.ts'), 'export const x = 1;\n');
    writeFileSync(join(root, 'renderer/c.ts'), "import { createEngine } from '../main/engine/index.js';\nimport leftpad from 'left-pad';\n");
    const problems: string[] = checkLayers(root);
    expect(problems.some((p) => p.startsWith('shared/geo/a.ts') && p.includes('Node built-in'))).toBe(true);
    expect(problems.some((p) => p.startsWith('main/engine/tasks/b.ts') && p.includes('main/cli'))).toBe(true);
    expect(problems.some((p) => p.startsWith('main/engine/tasks/b.ts') && p.includes('only main/engine/model/onnx-runtime.ts'))).toBe(true);
    expect(problems.some((p) => p.startsWith('renderer/c.ts') && p.includes('main/engine'))).toBe(true);
    expect(problems.some((p) => p.startsWith('renderer/c.ts') && p.includes('not classified'))).toBe(true);
  });
});
