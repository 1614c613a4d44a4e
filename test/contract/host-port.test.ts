// The EngineApi contract over the utility-process host's protocol, on a worker_threads MessageChannel.
import { MessageChannel } from 'node:worker_threads';
import { createEngine } from '../../main/engine/index.js';
import { createHost } from '../../main/host/host.js';
import { portEndpoint } from '../../main/host/port-endpoint.js';
import { createEngineClient } from '../../shared/rpc/engine-client.js';
import { engineContract, engineOptions, mosaic, notTiff } from './engine-api.contract.js';

engineContract('host MessagePort', async () => {
  const engine = createEngine(engineOptions());
  const host = createHost(engine);
  const { port1, port2 } = new MessageChannel();
  await host.handle({ type: 'connect', windowId: 1 }, [port1]);
  for (const [i, path] of [mosaic, notTiff].entries()) {
    const reply = await host.handle({ type: 'grant', reqId: i, windowId: 1, kind: 'file', path }, []);
    if (reply?.type !== 'granted') throw new Error(`grant failed: ${JSON.stringify(reply)}`);
  }
  const client = createEngineClient(portEndpoint(port2));
  return {
    engine: client,
    async close() {
      await client.dispose();
      host.close();
      port1.close();
      port2.close();
      await engine.dispose();
    },
  };
});
