import execa, { ExecaChildProcess } from 'execa';
import { copyFile, mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/**
 * Boots a qcow2 the way a Scaleway Instance sees it: UEFI (OVMF), the disk on virtio-scsi (sdX), a
 * virtio-net NIC on QEMU user networking (whose built-in DHCP answers 10.0.2.15), serial console on
 * stdio. The serial output is kept and can be waited on; keystrokes can be typed.
 */
export class ScalewayLikeBoot {
  private output = '';
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ExecaChildProcess,
    private readonly dir: string,
  ) {
    const onData = (chunk: Buffer) => {
      this.output += chunk.toString('latin1');
      for (const wake of this.waiters) wake();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }

  static async start(options: {
    disk: string;
    accel: 'kvm' | 'tcg';
    memoryMiB?: number;
  }): Promise<ScalewayLikeBoot> {
    const dir = await mkdtemp(join(tmpdir(), 'vmware2scw-boot-'));
    const vars = join(dir, 'OVMF_VARS.fd');
    await copyFile(OVMF_VARS, vars);
    const args = [
      '-accel',
      options.accel,
      ...(options.accel === 'kvm' ? ['-cpu', 'host'] : []),
      '-machine',
      'q35',
      '-m',
      String(options.memoryMiB ?? 1024),
      '-smp',
      '2',
      '-nodefaults',
      '-display',
      'none',
      '-no-reboot',
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
      '-drive',
      `if=pflash,format=raw,unit=1,file=${vars}`,
      '-device',
      'virtio-scsi-pci,id=scsi0',
      '-drive',
      `file=${options.disk},format=qcow2,if=none,id=d0,snapshot=on`,
      '-device',
      'scsi-hd,drive=d0,bus=scsi0.0',
      '-netdev',
      'user,id=n0',
      '-device',
      'virtio-net-pci,netdev=n0',
      '-serial',
      'stdio',
    ];
    const child = execa('qemu-system-x86_64', args, {
      reject: false,
      stdin: 'pipe',
    });
    return new ScalewayLikeBoot(child, dir);
  }

  get console(): string {
    return this.output;
  }

  /** Resolves with the match once `pattern` appears in the serial output after `from` (an offset). */
  waitFor(
    pattern: RegExp,
    timeoutMs: number,
    from = 0,
  ): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const pending: { timer?: NodeJS.Timeout } = {};
      let check = () => {};
      const cleanup = () => {
        clearTimeout(pending.timer);
        this.waiters.delete(check);
        this.child.off('exit', check);
      };
      check = () => {
        const match = this.output.slice(from).match(pattern);
        if (match) {
          cleanup();
          resolve(match);
        } else if (this.child.exitCode !== null) {
          cleanup();
          reject(
            new Error(
              `QEMU exited (${
                this.child.exitCode
              }) before ${pattern} appeared; console tail:\n${this.output.slice(
                -3000,
              )}`,
            ),
          );
        }
      };
      pending.timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `${pattern} did not appear within ${timeoutMs} ms; console tail:\n${this.output.slice(
              -3000,
            )}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      this.child.on('exit', check);
      check();
    });
  }

  type(text: string): void {
    this.child.stdin?.write(text);
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.child.catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
