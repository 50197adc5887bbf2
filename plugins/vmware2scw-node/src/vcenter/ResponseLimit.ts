import type { Dispatcher } from 'undici';

/** SOAP answers: a 250-VM inventory page is tens of MiB; a V8 string cannot exceed about 512 MiB. */
export const MAX_SOAP_RESPONSE_BYTES = 256 * 2 ** 20;
/** vAPI JSON answers (tag ids and names for at most 500 objects per call). */
export const MAX_REST_RESPONSE_BYTES = 16 * 2 ** 20;

/**
 * The body as UTF-8 text, or `undefined` when it is larger than `maxBytes` (announced or read): the
 * body is then destroyed, so that a broken or hostile server cannot make the client hold unbounded data.
 */
export async function readBodyText(
  res: Pick<Dispatcher.ResponseData, 'body' | 'headers'>,
  maxBytes: number,
): Promise<string | undefined> {
  const announced = Number(res.headers['content-length']);
  if (Number.isFinite(announced) && announced > maxBytes) {
    res.body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      res.body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `256 MiB`, for messages. */
export function formatLimit(bytes: number): string {
  return bytes >= 2 ** 20 && bytes % 2 ** 20 === 0
    ? `${bytes / 2 ** 20} MiB`
    : `${bytes} bytes`;
}
