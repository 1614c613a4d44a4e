// The EngineApi contract against createEngine itself: the reference the transports must match.
import { createEngine } from '../../main/engine/index.js';
import { engineContract, engineOptions } from './engine-api.contract.js';

engineContract('in process', async () => {
  const engine = createEngine(engineOptions());
  return { engine, close: () => engine.dispose() };
});
