// `geosift serve`: starts the web server and waits for Ctrl-C; the server itself lives in main/serve.
import { InvalidArgumentError, type Command } from 'commander';
import type { Engine } from '../engine/index.js';
import { startServe } from '../serve/server.js';
import type { CliIO } from './main.js';

function portArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('--port must be a whole number from 0 to 65535 (0 = any free port).');
  return n;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerServe(program: Command, io: CliIO, engineFor: (o: object) => Engine): void {
  program
    .command('serve')
    .description('serve the map UI and the engine to a browser on this machine (URL with an access token)')
    .argument('[scene...]', 'scenes (GeoTIFF / COG paths or http(s) URLs) the page may open')
    .option('-p, --port <n>', 'port (0 = any free port)', portArg, 0)
    .option('--host <address>', 'address to bind; anything but 127.0.0.1 / localhost exposes the engine to the network', '127.0.0.1')
    .option('--allow <dir>', 'folder whose scene files the page may open (repeatable)', collect, [])
    .action(async (scenes: string[], o: { port: number; host: string; allow: string[] }) => {
      const handle = await startServe({ engine: engineFor({}), scenes, allow: o.allow, host: o.host, port: o.port });
      if (!['127.0.0.1', 'localhost', '::1'].includes(o.host)) {
        io.stderr.write(`geosift serve: warning: bound to ${o.host}; anyone who can reach this machine and has the URL can use the engine.\n`);
      }
      io.stdout.write(`Geosift is serving ${scenes.length} scene(s) and ${o.allow.length} folder(s).\nOpen: ${handle.url}\nCtrl-C stops it.\n`);
      await new Promise<void>((resolve) => {
        if (!io.signal || io.signal.aborted) return resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await handle.close();
    });
}
