import { createHash, timingSafeEqual } from 'crypto';
import { IncomingMessage } from 'http';

/** Compares the request's bearer token with the configured one in constant time (hashes first, so lengths do not leak). */
export function hasValidBearer(
  request: IncomingMessage,
  token: string,
): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return false;
  const given = createHash('sha256').update(match[1].trim()).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}
