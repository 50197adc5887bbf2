import { connect, Socket } from 'net';

const NBDMAGIC = Buffer.from('NBDMAGIC', 'latin1');
const IHAVEOPT = Buffer.from('IHAVEOPT', 'latin1');
const OPTION_REPLY_MAGIC = BigInt('0x3e889045565a9');
const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;
const FLAG_FIXED_NEWSTYLE = 1;
const FLAG_NO_ZEROES = 2;
const OPT_GO = 7;
const REP_ACK = 1;
const REP_INFO = 3;
const INFO_EXPORT = 0;
const CMD_READ = 0;
const CMD_DISC = 2;

/**
 * A minimal NBD client (fixed newstyle handshake, NBD_OPT_GO, simple replies, reads only) over a unix
 * socket: what the upload uses to read the adapted disk from qemu-nbd extent by extent, with several
 * reads in flight. Nothing else of the protocol is needed here.
 */
export class NbdClient {
  /** Received bytes not yet consumed (a list: concatenating on every chunk would copy megabytes per read). */
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private waiter?: () => void;
  private failure?: Error;
  private nextHandle = BigInt(1);
  private readonly pending = new Map<
    bigint,
    { length: number; resolve: (b: Buffer) => void; reject: (e: Error) => void }
  >();
  private replyLoop?: Promise<void>;

  private constructor(private readonly socket: Socket, public size = 0) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bufferedBytes += chunk.length;
      this.waiter?.();
    });
    socket.on('error', error => this.fail(error));
    socket.on('close', () => this.fail(new Error('NBD connection closed')));
  }

  static async connect(
    socketPath: string,
    exportName = '',
  ): Promise<NbdClient> {
    const socket = connect(socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new NbdClient(socket);
    await client.handshake(exportName);
    client.replyLoop = client.readReplies();
    client.replyLoop.catch(() => undefined);
    return client;
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.waiter?.();
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }

  private async take(n: number): Promise<Buffer> {
    if (n === 0) return Buffer.alloc(0);
    while (this.bufferedBytes < n) {
      if (this.failure) throw this.failure;
      await new Promise<void>(resolve => (this.waiter = resolve));
      this.waiter = undefined;
    }
    this.bufferedBytes -= n;
    if (this.chunks[0].length >= n) {
      const out = this.chunks[0].subarray(0, n);
      if (this.chunks[0].length === n) this.chunks.shift();
      else this.chunks[0] = this.chunks[0].subarray(n);
      return Buffer.from(out);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }

  private async handshake(exportName: string): Promise<void> {
    const hello = await this.take(18);
    if (
      !hello.subarray(0, 8).equals(NBDMAGIC) ||
      !hello.subarray(8, 16).equals(IHAVEOPT)
    )
      throw new Error('not an NBD newstyle server');
    const serverFlags = hello.readUInt16BE(16);
    if (!(serverFlags & FLAG_FIXED_NEWSTYLE))
      throw new Error('the NBD server does not speak fixed newstyle');
    const flags = Buffer.alloc(4);
    flags.writeUInt32BE(FLAG_FIXED_NEWSTYLE | (serverFlags & FLAG_NO_ZEROES));
    const name = Buffer.from(exportName, 'utf8');
    const data = Buffer.alloc(4 + name.length + 2);
    data.writeUInt32BE(name.length, 0);
    name.copy(data, 4);
    const option = Buffer.alloc(16);
    IHAVEOPT.copy(option, 0);
    option.writeUInt32BE(OPT_GO, 8);
    option.writeUInt32BE(data.length, 12);
    this.socket.write(Buffer.concat([flags, option, data]));
    for (;;) {
      const reply = await this.take(20);
      if (reply.readBigUInt64BE(0) !== OPTION_REPLY_MAGIC)
        throw new Error('bad NBD option reply');
      const type = reply.readUInt32BE(12);
      const body = await this.take(reply.readUInt32BE(16));
      if (type === REP_ACK) return;
      if (type === REP_INFO && body.readUInt16BE(0) === INFO_EXPORT)
        this.size = Number(body.readBigUInt64BE(2));
      else if (type & 0x80000000)
        throw new Error(
          `NBD server refused export "${exportName}": ${body.toString('utf8')}`,
        );
    }
  }

  private async readReplies(): Promise<void> {
    for (;;) {
      const header = await this.take(16);
      if (header.readUInt32BE(0) !== SIMPLE_REPLY_MAGIC) {
        this.fail(new Error('bad NBD reply magic'));
        return;
      }
      const error = header.readUInt32BE(4);
      const handle = header.readBigUInt64BE(8);
      const request = this.pending.get(handle);
      if (!request) {
        this.fail(new Error('NBD reply to an unknown request'));
        return;
      }
      this.pending.delete(handle);
      if (error) {
        request.reject(new Error(`NBD read failed with errno ${error}`));
        continue;
      }
      request.resolve(await this.take(request.length));
    }
  }

  /** Reads `length` bytes at `offset` (several reads may be in flight). */
  read(offset: number, length: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const handle = this.nextHandle++;
    const request = Buffer.alloc(28);
    request.writeUInt32BE(REQUEST_MAGIC, 0);
    request.writeUInt16BE(0, 4);
    request.writeUInt16BE(CMD_READ, 6);
    request.writeBigUInt64BE(handle, 8);
    request.writeBigUInt64BE(BigInt(offset), 16);
    request.writeUInt32BE(length, 24);
    return new Promise((resolve, reject) => {
      this.pending.set(handle, { length, resolve, reject });
      this.socket.write(request);
    });
  }

  async close(): Promise<void> {
    if (!this.failure) {
      const request = Buffer.alloc(28);
      request.writeUInt32BE(REQUEST_MAGIC, 0);
      request.writeUInt16BE(CMD_DISC, 6);
      this.socket.end(request);
    }
    this.socket.destroy();
    await this.replyLoop?.catch(() => undefined);
  }
}
