// Pure: where a `geosift serve` page finds its engine socket; the one place that knows the serve URL layout (main/serve/server.ts RPC_PATH).

/** The page URL parts we read (window.location). */
export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

export const SERVE_RPC_PATH = '/rpc';
export const TOKEN_PARAM = 'token';
/** Serve's extra RPC method listing the scenes this session may open (arity 0). */
export const ALLOWED_SCENES_METHOD = 'allowedScenes';

export function pageToken(location: PageLocation): string | null {
  return new URLSearchParams(location.search).get(TOKEN_PARAM);
}

export function engineSocketUrl(location: PageLocation): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = pageToken(location);
  // Without a token in the URL the server's cookie (set when the page loaded) still authorises the socket.
  return `${scheme}//${location.host}${SERVE_RPC_PATH}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`;
}
