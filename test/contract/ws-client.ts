// A Node WebSocket as an rpc Endpoint: the contract and serve tests talk to serve the way the page does.
import WebSocket from 'ws';
import type { Endpoint } from '../../shared/rpc/rpc.js';

export function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

export function socketEndpoint(ws: WebSocket): Endpoint {
  return {
    post: (m) => ws.send(JSON.stringify(m)),
    onMessage(listener) {
      const h = (data: WebSocket.RawData) => listener(JSON.parse(data.toString()));
      ws.on('message', h);
      return () => ws.off('message', h);
    },
  };
}
