// `geosift serve` as a command: prints a tokened URL on 127.0.0.1, refuses requests without the token, stops on Ctrl-C.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../main/cli/main.js';
import { StringStream, testEngineOptions } from '../../../helpers/cli.js';
import { generatedDir } from '../../../helpers/paths.js';

const mosaic = realpathSync(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));

describe('geosift serve (command)', () => {
  it('serves until aborted, on 127.0.0.1 with a token, and exits 0', async () => {
    const stdout = new StringStream();
    const stderr = new StringStream();
    const controller = new AbortController();
    const done = runCli(['serve', mosaic, '--port', '0'], { stdout, stderr, signal: controller.signal, engine: testEngineOptions() });
    while (!/Open: \S+/.test(stdout.text)) await new Promise((r) => setTimeout(r, 10));
    const url = new URL(/Open: (\S+)/.exec(stdout.text)![1]);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(stdout.text).toContain('serving 1 scene(s)');
    expect((await fetch(`${url.origin}/`)).status).toBe(403);
    expect((await fetch(url)).status).not.toBe(403);
    controller.abort();
    expect(await done).toBe(0);
    expect(stderr.text).toBe('');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('rejects a bad port, and a scene that does not exist, with a usage or file error', async () => {
    const bad = { stdout: new StringStream(), stderr: new StringStream(), engine: testEngineOptions() };
    expect(await runCli(['serve', '--port', '70000'], bad)).toBe(2);
    expect(bad.stderr.text).toContain('--port must be a whole number from 0 to 65535');
    const missing = { stdout: new StringStream(), stderr: new StringStream(), engine: testEngineOptions() };
    expect(await runCli(['serve', join(generatedDir, 'nope.tif')], missing)).toBe(1);
    expect(missing.stderr.text).toContain('nope.tif');
  });
});
