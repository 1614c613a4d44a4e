// React binding of the engine connection: one per window, its state re-rendered on change.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { connectEngine, type EngineConnection } from './connection.js';

export function useEngineConnection(): EngineConnection {
  const [connection] = useState(connectEngine);
  useEffect(() => () => connection.close(), [connection]);
  useSyncExternalStore(connection.subscribe, () => connection.state);
  return connection;
}
