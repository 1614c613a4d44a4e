// electron-builder.yml and the fuses hook: validated against electron-builder's own schema, and the rules we depend on.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../helpers/paths.js';

const require = createRequire(import.meta.url);
// Both ship with electron-builder (app-builder-lib validates its config with this very schema).
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const yaml = require('js-yaml') as { load(s: string): unknown };
const fuses = require(join(repoRoot, 'build', 'fuses.cjs')) as {
  GEOSIFT_FUSES: Record<string, unknown>;
  electronBinary(c: object): string;
};
const { FuseV1Options, FuseVersion } = require('@electron/fuses') as { FuseV1Options: Record<string, number>; FuseVersion: Record<string, string> };

type Config = {
  appId: string; productName: string; files: string[]; asarUnpack: string[]; afterPack: string; extraResources: { from: string; to: string }[];
  linux: { target: string[]; files: string[] }; win: { target: string[]; files: string[] }; mac: { target: string[]; files: string[] };
};
const config = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as Config;

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('builds AppImage and deb, NSIS, dmg of Geosift, with the fuses hook', () => {
    expect(config.productName).toBe('Geosift');
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z-]+)+$/);
    expect([config.linux.target, config.win.target, config.mac.target]).toEqual([['AppImage', 'deb'], ['nsis'], ['dmg']]);
    expect(config.afterPack).toBe('build/fuses.cjs');
  });

  it('ships the built app only, and keeps the native files (ONNX Runtime, libjpeg-turbo) outside the asar', () => {
    expect(config.files).toContain('dist/main/electron/**/*.js');
    expect(config.files).toContain('dist/renderer/**');
    expect(config.files.some((f) => /^(main|renderer|shared|test)\//.test(f))).toBe(false);
    expect(config.asarUnpack).toEqual(['node_modules/onnxruntime-node/bin/**', 'node_modules/@julusian/jpeg-turbo/prebuilds/**']);
    // Every .node binary a runtime dependency ships lies under an unpacked folder.
    const natives = ['onnxruntime-node/bin', '@julusian/jpeg-turbo/prebuilds'].map((d) => join(repoRoot, 'node_modules', d));
    for (const d of natives) expect(readdirSync(d, { recursive: true }).some((f) => String(f).endsWith('.node')), d).toBe(true);
    expect(config.extraResources).toEqual([expect.objectContaining({ from: 'models/geosift-rs-mini', to: 'models/geosift-rs-mini' })]);
  });

  it('leaves out the other platforms\' ONNX Runtime binaries on each target', () => {
    // Every platform folder onnxruntime-node ships is excluded on exactly the targets it does not belong to.
    const platforms = readdirSync(join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6'));
    expect(platforms.sort()).toEqual(['darwin', 'linux', 'win32']);
    const own = { linux: 'linux', win: 'win32', mac: 'darwin' } as const;
    for (const [target, mine] of Object.entries(own)) {
      const excluded = config[target as keyof typeof own].files.join(' ');
      for (const p of platforms) expect(excluded.includes(p), `${target} excludes ${p}`).toBe(p !== mine);
    }
  });
});

describe('fuses (build/fuses.cjs)', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect; turns on asar integrity, asar-only loading and cookie encryption', () => {
    const f = fuses.GEOSIFT_FUSES;
    expect(f.version).toBe(FuseVersion.V1);
    expect(f[FuseV1Options.RunAsNode]).toBe(false);
    expect(f[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(f[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(f[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(f[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(f[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(f[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
  });

  it('finds the Electron executable electron-builder produced on each platform', () => {
    const packager = { appInfo: { productFilename: 'Geosift' }, executableName: 'geosift' };
    expect(fuses.electronBinary({ appOutDir: '/o', electronPlatformName: 'linux', packager })).toBe('/o/geosift');
    expect(fuses.electronBinary({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(join('/o', 'Geosift.exe'));
    expect(fuses.electronBinary({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe(join('/o', 'Geosift.app'));
  });
});
