// The scenes a `geosift serve` session may open (named on its command line or below its allowed folders).
import { useEffect, useState } from 'react';
import type { RemoteEngine } from '../../../../shared/rpc/engine-client.js';
import { ALLOWED_SCENES_METHOD } from '../../engine-client/serve-config.js';

export interface AllowedScene {
  path: string;
  name: string;
  bytes: number | null;
}

export function useAllowedScenes(engine: RemoteEngine | null, enabled: boolean): AllowedScene[] | null {
  const [allowed, setAllowed] = useState<AllowedScene[] | null>(null);
  useEffect(() => {
    if (!enabled || !engine) return;
    let live = true;
    engine.rpc
      .call<AllowedScene[]>(ALLOWED_SCENES_METHOD, [])
      .then((list) => {
        if (live && Array.isArray(list)) setAllowed(list.filter((s) => s && typeof s.path === 'string'));
      })
      .catch(() => {
        // a server without the list: the path box still works
      });
    return () => {
      live = false;
    };
  }, [engine, enabled]);
  return allowed;
}
