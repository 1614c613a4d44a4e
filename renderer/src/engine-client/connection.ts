// Picks the engine transport at start (Electron MessagePort or the serve WebSocket) and reconnects when the engine restarts.
import { createEngineClient, type RemoteEngine } from '../../../shared/rpc/engine-client.js';
import { ENGINE_PORT_MESSAGE, electronBridge, type GeosiftBridge } from './bridge.js';
import { portEndpoint, socketEndpoint } from './endpoints.js';
import { engineSocketUrl } from './serve-config.js';

export type ConnectionState =
  | { status: 'connecting'; engine: null; message: string }
  | { status: 'ready'; engine: RemoteEngine; message: string | null }
  | { status: 'lost'; engine: null; message: string };

export interface EngineConnection {
  readonly kind: 'electron' | 'serve';
  readonly bridge: GeosiftBridge | null;
  readonly state: ConnectionState;
  subscribe(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

export function connectEngine(): EngineConnection {
  const bridge = electronBridge();
  return bridge ? connectElectron(bridge) : connectServe();
}

function makeStore(kind: 'electron' | 'serve', bridge: GeosiftBridge | null) {
  const listeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = { status: 'connecting', engine: null, message: 'Connecting to the engine…' };
  return {
    kind,
    bridge,
    get state() {
      return state;
    },
    set(next: ConnectionState) {
      state = next;
      for (const l of listeners) l(state);
    },
    subscribe(listener: (s: ConnectionState) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function connectElectron(bridge: GeosiftBridge): EngineConnection {
  const store = makeStore('electron', bridge);
  let current: RemoteEngine | null = null;
  let restarts = 0;
  const onWindowMessage = (event: MessageEvent) => {
    if (event.source !== window || (event.data as { type?: unknown })?.type !== ENGINE_PORT_MESSAGE || !event.ports[0]) return;
    const reason = (event.data as { reason?: unknown }).reason;
    current?.rpc.close('The engine restarted');
    current = createEngineClient(portEndpoint(event.ports[0]));
    current.rpc.onEvent((name, payload) => {
      if (name === 'engine-exited') store.set({ status: 'lost', engine: null, message: `The engine stopped (${String((payload as { reason?: unknown })?.reason ?? 'unknown reason')}); it is being restarted.` });
    });
    const message = restarts++ > 0 ? `The engine restarted${typeof reason === 'string' ? ` after: ${reason}` : ''}. Running tasks were stopped; start them again.` : null;
    store.set({ status: 'ready', engine: current, message });
  };
  window.addEventListener('message', onWindowMessage);
  const offStatus = bridge.onEngineStatus((st) => {
    if (st.state === 'running') return;
    current?.rpc.close('The engine stopped');
    current = null;
    store.set({
      status: 'lost',
      engine: null,
      message:
        st.state === 'restarting'
          ? `The engine stopped (${st.reason}); restarting it in ${Math.max(1, Math.round(st.retryInMs / 1000))} s…`
          : `The engine failed (${st.reason}) and could not be restarted. Quit and reopen Geosift; if it happens again, report it.`,
    });
  });
  bridge.requestEnginePort();
  // Object.assign onto the store keeps its `state` getter live.
  return Object.assign(store, {
    close() {
      window.removeEventListener('message', onWindowMessage);
      offStatus();
      current?.rpc.close();
    },
  });
}

function connectServe(): EngineConnection {
  const store = makeStore('serve', null);
  let closed = false;
  let socket: WebSocket | null = null;
  let engine: RemoteEngine | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let wasReady = false;
  const open = () => {
    if (closed) return;
    const ws = new WebSocket(engineSocketUrl(window.location));
    socket = ws;
    const client = createEngineClient(socketEndpoint(ws));
    ws.addEventListener('open', () => {
      attempt = 0;
      engine = client;
      store.set({ status: 'ready', engine: client, message: wasReady ? 'Reconnected to the engine. Tasks that were running were stopped; start them again.' : null });
      wasReady = true;
    });
    ws.addEventListener('close', (event) => {
      client.rpc.close('The connection to the engine closed');
      if (closed) return;
      engine = null;
      // 1008 (policy) is how serve refuses a missing or wrong token: retrying cannot help.
      if (event.code === 1008 || event.code === 4401) {
        store.set({ status: 'lost', engine: null, message: 'The engine refused this page: open the exact URL (with its token) that `geosift serve` printed.' });
        return;
      }
      const delay = Math.min(5000, 500 * 2 ** attempt++);
      store.set({ status: 'lost', engine: null, message: `Lost the connection to the engine (is \`geosift serve\` still running?). Retrying in ${Math.round(delay / 1000) || 1} s…` });
      timer = setTimeout(open, delay);
    });
  };
  open();
  return Object.assign(store, {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      engine?.rpc.close();
      socket?.close();
    },
  });
}
