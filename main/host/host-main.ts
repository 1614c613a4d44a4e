// Utility-process entry (Electron utilityProcess.fork): one engine, served on every port main hands over.
import { createEngine, type EngineOptions } from '../engine/index.js';
import { createHost } from './host.js';
import { unwrapElectronEvent, type PortLike } from './port-endpoint.js';

/** Electron's process.parentPort, typed here so the host needs no electron import. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown; ports: PortLike[] }) => void): void;
  postMessage(message: unknown): void;
}

/** `--models DIR` (repeatable) and `--index DIR`, passed by main when it forks the host. */
export function hostEngineOptions(argv: readonly string[]): EngineOptions {
  const models: string[] = [];
  let indexDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--models' && argv[i + 1]) models.push(argv[++i]);
    else if (argv[i] === '--index' && argv[i + 1]) indexDir = argv[++i];
  }
  return { ...(models.length ? { modelSearchPaths: models } : {}), ...(indexDir ? { indexDir } : {}) };
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort) {
  const engine = createEngine(hostEngineOptions(process.argv.slice(2)));
  const host = createHost(engine, { unwrap: unwrapElectronEvent });
  parentPort.on('message', (e) => {
    host.handle(e.data, e.ports ?? []).then(
      (reply) => reply && parentPort.postMessage(reply),
      (err: unknown) => parentPort.postMessage({ type: 'protocol-error', message: err instanceof Error ? err.message : String(err) }),
    );
  });
}
