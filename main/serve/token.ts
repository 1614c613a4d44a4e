// The access token printed in the serve URL, and its constant-time check.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant time in the token's length: a wrong guess leaks nothing about how close it came. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  const expected = Buffer.from(token, 'utf8');
  const actual = Buffer.from(typeof given === 'string' ? given : '', 'utf8');
  if (actual.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/** The cookie carries the token to the page's own asset requests; named by port since cookies ignore ports. */
export function tokenCookieName(port: number): string {
  return `geosift_token_${port}`;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
