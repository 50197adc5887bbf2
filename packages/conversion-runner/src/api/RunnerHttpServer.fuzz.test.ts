import { mkdtemp, rm, writeFile } from 'fs/promises';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { RunnerClient } from '../testing/RunnerClient';
import { RunnerProcess } from '../testing/RunnerProcess';

jest.setTimeout(120_000);

/** Sends raw bytes on a fresh connection; resolves with what came back (or '' on reset/timeout). */
function rawExchange(
  port: number,
  payload: Buffer,
  timeoutMs = 3_000,
): Promise<string> {
  return new Promise(resolve => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // one response is enough: stop once the headers and a small body are in
      if (Buffer.concat(chunks).includes('\r\n\r\n')) setTimeout(done, 20);
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.end(payload));
  });
}

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('runner HTTP API under malformed requests (raw socket)', () => {
  const token = 'fuzz-test-token-0123456789';
  let work: string;
  let runner: RunnerProcess;
  let port: number;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmware2scw-fuzz-'));
    const config = join(work, 'runner.yaml');
    await writeFile(
      config,
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        `scratch: { dir: ${join(work, 'scratch')}, reserveBytes: 0 }`,
        'allowedHosts: []',
        'accel: { mode: tcg }',
        '',
      ].join('\n'),
    );
    runner = await RunnerProcess.start(config, token);
    port = Number(new URL(runner.url).port);
  });

  afterAll(async () => {
    await runner?.stop();
    await rm(work, { recursive: true, force: true });
  });

  // `\\` is refused by Node's HTTP parser itself (400 without a body), the others reach the runner
  it.each([['//'], ['///'], ['\\\\'], ['//v1/health'], ['/\\\\x']])(
    'answers 400 to the request target %j and keeps running',
    async target => {
      for (const auth of ['', `authorization: Bearer ${token}\r\n`]) {
        const reply = await rawExchange(
          port,
          Buffer.from(`GET ${target} HTTP/1.1\r\nhost: x\r\n${auth}\r\n`),
        );
        expect(reply).toMatch(/^HTTP\/1\.1 400 /);
        // Node's own parser refuses a target starting with a backslash before our handler sees it.
        expect(
          target.startsWith('\\') || reply.includes('INVALID_REQUEST'),
        ).toBe(true);
      }
      expect(runner.running).toBe(true);
    },
  );

  it('survives a few hundred malformed targets, methods, headers and bodies, and still answers health', async () => {
    const random = prng(0x5eed);
    const pick = <T>(values: readonly T[]): T =>
      values[Math.floor(random() * values.length)];
    const targets = [
      '//',
      '///',
      '\\\\',
      '/\\\\',
      '//x/y',
      '///v1/jobs',
      '*',
      '',
      '%',
      '/%',
      '/%zz',
      '/%00',
      'http://runner/v1/health',
      'http://[::1',
      '/v1/jobs/../../etc/passwd',
      '/v1/jobs?vm=%ff',
      '/v1/jobs/00000000-0000-0000-0000-000000000000/logs?after=NaN',
      '/v1/health?\u0000',
      `/${'a'.repeat(9000)}`,
      '/v1/jobs/%2e%2e/cancel',
      '/\u00e9\u00e8',
      '/v1/jobs#frag',
      '?',
      '/ /',
    ];
    const methods = [
      'GET',
      'POST',
      'PUT',
      'DELETE',
      'PATCH',
      'OPTIONS',
      'HEAD',
      'FOO',
      'get',
      '',
      'G\u0000T',
      'CONNECT',
    ];
    const headerSets = [
      () => `authorization: Bearer ${token}\r\n`,
      () => 'authorization: Bearer \r\n',
      () => `authorization: ${'B'.repeat(20000)}\r\n`,
      () => `authorization: Bearer ${token}\r\ncontent-length: 99999999\r\n`,
      () => `authorization: Bearer ${token}\r\ncontent-length: -1\r\n`,
      () => `authorization: Bearer ${token}\r\ntransfer-encoding: chunked\r\n`,
      () =>
        `authorization: Bearer ${token}\r\ncontent-length: 3\r\ncontent-length: 4\r\n`,
      () => 'x-broken-header\r\n',
      () =>
        `authorization: Bearer ${token}\r\ncontent-type: application/json\r\n`,
      () => '',
    ];
    const bodies = [
      () => '',
      () => '{',
      () => 'null',
      () => '[]',
      () => '{"idempotencyKey":5,"kind":{},"params":null}',
      () => '{"idempotencyKey":"k","kind":"export","params":{"vm":"../x"}}',
      () =>
        '{"idempotencyKey":"k2","kind":"cleanup","params":{"vm":"vm-fuzz"}}',
      () => '{"__proto__":{"polluted":true},"kind":"cleanup"}',
      () => 'zz\r\n0\r\n\r\n',
      () =>
        Buffer.from(
          Array.from({ length: 64 }, () => Math.floor(random() * 256)),
        ).toString('latin1'),
    ];
    const cases = 300;
    const started = Date.now();
    let answered = 0;
    for (let batch = 0; batch < cases; batch += 20) {
      const replies = await Promise.all(
        // eslint-disable-next-line no-loop-func -- one batch of requests at a time, on purpose
        Array.from({ length: 20 }, () => {
          const body = pick(bodies)();
          const payload = Buffer.from(
            `${pick(methods)} ${pick(
              targets,
            )} HTTP/1.1\r\nhost: runner\r\n${pick(headerSets)()}${
              body && random() < 0.5
                ? `content-length: ${Buffer.byteLength(body, 'latin1')}\r\n`
                : ''
            }\r\n${body}`,
            'latin1',
          );
          return rawExchange(port, payload);
        }),
      );
      answered += replies.filter(reply => reply.startsWith('HTTP/1.1 ')).length;
      expect(runner.running).toBe(true);
    }
    expect(Date.now() - started).toBeLessThan(90_000);
    // almost every case gets an HTTP answer (a few are cut by the parser before a response fits)
    expect(answered).toBeGreaterThan(cases * 0.8);
    expect(runner.running).toBe(true);
    const health = await new RunnerClient(runner.url, token).call(
      'GET',
      '/v1/health',
    );
    expect(health.status).toBe(200);
    expect(runner.output.join('')).not.toMatch(/unhandled rejection/);
  });
});
