import execa from 'execa';
import { toolEnv } from '../tools/ToolEnv';
import { access, constants, mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';

export type AccelMode = 'kvm' | 'tcg';

export type AccelProbeResult = {
  mode: AccelMode;
  reason: string;
  probedAt: string;
  probeMs: number;
};

const MARKER = 'VMWARE2SCW-ACCEL-OK';

/**
 * A 512-byte boot sector that writes MARKER to COM1 and halts. Booting it under KVM is the cheapest
 * honest test: some hosts expose /dev/kvm yet QEMU aborts ("failed to set MSR 0x10a") or the vCPU
 * hangs silently, and only an actual boot tells.
 */
export function probeBootSector(): Buffer {
  const code = [
    0xfa, // cli
    0x31,
    0xc0, // xor ax, ax
    0x8e,
    0xd8, // mov ds, ax
    0xbe,
    0x16,
    0x7c, // mov si, 0x7c16 (message)
    0xba,
    0xf8,
    0x03, // mov dx, 0x3f8 (COM1)
    0xac, // lodsb
    0x84,
    0xc0, // test al, al
    0x74,
    0x03, // jz halt
    0xee, // out dx, al
    0xeb,
    0xf8, // jmp lodsb
    0xf4, // halt: hlt
    0xeb,
    0xfd, // jmp halt
  ];
  const sector = Buffer.alloc(512);
  Buffer.from(code).copy(sector, 0);
  Buffer.from(`${MARKER}\r\n\0`, 'latin1').copy(sector, code.length);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** Boots the probe sector with the given accelerator; resolves true when the marker reaches the serial port in time. */
export async function bootsWith(
  accel: AccelMode,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'vmware2scw-accel-'));
  const image = join(dir, 'probe.img');
  await writeFile(image, probeBootSector());
  const args = [
    '-accel',
    accel,
    ...(accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-m',
    '32',
    '-nodefaults',
    '-display',
    'none',
    '-no-reboot',
    '-drive',
    `file=${image},format=raw,if=ide,snapshot=on`,
    '-serial',
    'stdio',
  ];
  const child = execa('qemu-system-x86_64', args, {
    reject: false,
    stdin: 'ignore',
    env: toolEnv(),
    extendEnv: false,
  });
  let output = '';
  try {
    const ok = await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('latin1');
        if (output.includes(MARKER)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.then(() => {
        clearTimeout(timer);
        resolve(output.includes(MARKER));
      });
    });
    let detail = `no output within ${timeoutMs} ms`;
    if (ok) detail = 'a test boot printed on the serial port';
    else if (output.trim())
      detail = `QEMU said: ${output
        .trim()
        .split('\n')
        .slice(-2)
        .join(' ')
        .slice(0, 300)}`;
    return { ok, detail };
  } finally {
    child.kill('SIGKILL');
    await child.catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Decides once per runner start whether QEMU and libguestfs get KVM or TCG. */
export async function probeAccel(options: {
  mode: 'auto' | AccelMode;
  timeoutMs: number;
  kvmDevice?: string;
}): Promise<AccelProbeResult> {
  const started = Date.now();
  const done = (mode: AccelMode, reason: string): AccelProbeResult => ({
    mode,
    reason,
    probedAt: new Date().toISOString(),
    probeMs: Date.now() - started,
  });
  if (options.mode === 'tcg')
    return done('tcg', 'forced by config (accel.mode: tcg)');
  if (options.mode === 'kvm')
    return done('kvm', 'forced by config (accel.mode: kvm)');
  const device = options.kvmDevice ?? '/dev/kvm';
  try {
    await access(device, constants.R_OK | constants.W_OK);
  } catch {
    return done('tcg', `${device} is missing or not accessible`);
  }
  const kvm = await bootsWith('kvm', options.timeoutMs);
  if (kvm.ok) return done('kvm', `KVM works: ${kvm.detail}`);
  return done(
    'tcg',
    `${device} exists but KVM is unusable (${kvm.detail}); using TCG`,
  );
}

/** Environment for libguestfs tools under the probed accelerator. */
export function libguestfsEnv(mode: AccelMode): NodeJS.ProcessEnv {
  return {
    LIBGUESTFS_BACKEND: 'direct',
    ...(mode === 'tcg' ? { LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' } : {}),
  };
}
