#!/usr/bin/env node
// Enforces the layering rules of ARCHITECTURE.md: which folder may import which, and where each package class may run.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const classes = JSON.parse(readFileSync(join(root, 'scripts', 'dependency-classes.json'), 'utf8'));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Folder rules, most specific first. `folders`: project folders it may import; `packages`: package classes allowed. */
const RULES = [
  { layer: 'shared', folders: ['shared'], packages: ['pure'], node: false },
  { layer: 'main/engine', folders: ['main/engine', 'shared'], packages: ['pure', 'node'], node: true },
  { layer: 'main/host', folders: ['main/host', 'main/engine', 'shared'], packages: ['pure', 'node'], node: true },
  // The CLI starts `geosift serve`; serve reuses the host's engine guard (one path policy, not two copies).
  { layer: 'main/cli', folders: ['main/cli', 'main/serve', 'main/engine', 'shared'], packages: ['pure', 'node'], node: true },
  { layer: 'main/serve', folders: ['main/serve', 'main/host', 'main/engine', 'shared'], packages: ['pure', 'node'], node: true },
  { layer: 'main/electron', folders: ['main/electron', 'shared'], packages: ['pure', 'electron'], node: true },
  { layer: 'main/preload', folders: ['main/preload', 'shared'], packages: ['electron'], node: false },
  { layer: 'renderer', folders: ['renderer', 'shared'], typeOnlyFolders: ['main/preload'], packages: ['pure', 'dom'], node: false },
];
/** Packages that only one file may import (one module owns the inference runtime). */
const OWNERS = { 'onnxruntime-node': 'main/engine/model/onnx-runtime.ts' };

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isTypeOnly(text, spec) {
  const esc = spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`import\\s+type\\s[^;]*?from\\s+['"]${esc}['"]`).test(text) || new RegExp(`export\\s+type\\s[^;]*?from\\s+['"]${esc}['"]`).test(text);
}

export function checkLayers(projectRoot = root) {
  const problems = [];
  for (const rule of RULES) {
    const base = join(projectRoot, rule.layer);
    let files = [];
    try { files = walk(base); } catch { continue; }
    for (const file of files) {
      const rel = relative(projectRoot, file).split(sep).join('/');
      if (RULES.some((r) => r !== rule && r.layer.startsWith(rule.layer + '/') && rel.startsWith(r.layer + '/'))) continue;
      const text = readFileSync(file, 'utf8');
      const info = ts.preProcessFile(text, true, true);
      for (const imp of info.importedFiles) {
        const spec = imp.fileName;
        if (spec.startsWith('.')) {
          const target = relative(projectRoot, resolve(dirname(file), spec)).split(sep).join('/');
          const ok = rule.folders.some((f) => target === f || target.startsWith(f + '/'));
          const typeOk = (rule.typeOnlyFolders ?? []).some((f) => target.startsWith(f + '/')) && isTypeOnly(text, spec);
          if (!ok && !typeOk) problems.push(`${rel}: imports ${spec} (${target}); ${rule.layer} may import only ${rule.folders.join(', ')}`);
          continue;
        }
        if (builtins.has(spec) || builtins.has(spec.replace(/^node:/, ''))) {
          if (!rule.node) problems.push(`${rel}: imports Node built-in ${spec}; ${rule.layer} must not use Node APIs`);
          continue;
        }
        const pkg = packageName(spec);
        const cls = classes[pkg];
        if (!cls) {
          problems.push(`${rel}: imports ${pkg}, which is not classified in scripts/dependency-classes.json (pure | node | dom | electron)`);
          continue;
        }
        if (!rule.packages.includes(cls) && !(cls === 'electron' && isTypeOnly(text, spec) && rule.layer === 'renderer')) {
          problems.push(`${rel}: imports ${pkg} (${cls}); ${rule.layer} may use only ${rule.packages.join(', ')} packages`);
        }
        if (OWNERS[pkg] && OWNERS[pkg] !== rel) problems.push(`${rel}: imports ${pkg}; only ${OWNERS[pkg]} may`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkLayers();
  if (problems.length) {
    console.error(`Layering: ${problems.length} problem(s)\n` + problems.map((p) => '  ' + p).join('\n'));
    process.exit(1);
  }
  console.log('Layering: ok');
}
