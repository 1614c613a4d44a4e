// The EngineApi contract over `geosift serve`'s WebSocket: a real server on 127.0.0.1, a real ws client.
import { dirname } from 'node:path';
import { createEngine } from '../../main/engine/index.js';
import { startServe } from '../../main/serve/server.js';
import { createEngineClient } from '../../shared/rpc/engine-client.js';
import { engineContract, engineOptions, mosaic, notTiff } from './engine-api.contract.js';
import { openSocket, socketEndpoint } from './ws-client.js';

engineContract('serve WebSocket', async () => {
  const engine = createEngine(engineOptions());
  const server = await startServe({ engine, scenes: [mosaic], allow: [dirname(notTiff)], port: 0 });
  const ws = await openSocket(server.wsUrl);
  const client = createEngineClient(socketEndpoint(ws));
  return {
    engine: client,
    async close() {
      await client.dispose();
      ws.close();
      await server.close();
      await engine.dispose();
    },
  };
});
