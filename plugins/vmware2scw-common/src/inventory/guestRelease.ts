import type { Vm } from './model';

/**
 * Windows generations that matter for a move to Scaleway: which ones can boot UEFI at all, and which
 * ones Microsoft's MBR2GPT converts offline (Windows 10 / Server 2016 and later).
 */
export type WindowsGeneration =
  | 'pre-vista' // 2000, XP, 2003: no UEFI boot
  | 'vista-2008'
  | '7-2008r2'
  | '8-2012' // 8, 8.1, 2012, 2012 R2
  | '10-2016+' // 10, 11, 2016, 2019, 2022, 2025
  | 'unknown';

export interface GuestRelease {
  family: Vm['osFamily'];
  windowsGeneration?: WindowsGeneration;
  /** undefined when the source does not say (no guest id, no full name). */
  is64Bit?: boolean;
}

const cache = new WeakMap<object, GuestRelease>();

/** Reads what vSphere (`config.guestId`) or an RVTools export (full name) says about the guest. */
export function guestReleaseOf(
  vm: Pick<Vm, 'osFamily' | 'guestId' | 'guestFullName'>,
): GuestRelease {
  // Several concern rules ask about the same VM: remember the answer for that VM object.
  let release = cache.get(vm);
  if (!release) cache.set(vm, (release = readRelease(vm)));
  return release;
}

function readRelease(
  vm: Pick<Vm, 'osFamily' | 'guestId' | 'guestFullName'>,
): GuestRelease {
  const id = vm.guestId ?? '';
  const name = vm.guestFullName ?? '';
  const is64Bit = id ? /64/.test(id) : bitsFromName(name);
  if (vm.osFamily !== 'windows') return { family: vm.osFamily, is64Bit };
  return {
    family: 'windows',
    windowsGeneration: windowsGeneration(id, name),
    is64Bit,
  };
}

function bitsFromName(name: string): boolean | undefined {
  if (/64-bit|x64|amd64|x86_64/i.test(name)) return true;
  if (/32-bit|\bx86\b|i[3-6]86/i.test(name)) return false;
  return undefined;
}

function windowsGeneration(id: string, name: string): WindowsGeneration {
  if (id) {
    if (/^(win31|win95|win98|winMe|winNT|win2000|winXP|winNet)/i.test(id))
      return 'pre-vista';
    if (/^(winVista|winLonghorn)/i.test(id)) return 'vista-2008';
    if (/^windows7/i.test(id)) return '7-2008r2';
    if (/^windows8/i.test(id)) return '8-2012';
    if (/^(windows9|windows1[1-9]|windows20\d\d)/i.test(id)) return '10-2016+';
  }
  const n = name.toLowerCase();
  if (/\b(2000|xp|2003|nt 4|95|98|me)\b/.test(n)) return 'pre-vista';
  if (/\bvista\b|server 2008(?! r2)/.test(n)) return 'vista-2008';
  if (/windows 7\b|2008 r2/.test(n)) return '7-2008r2';
  if (/windows 8\b|windows 8\.1|server 2012/.test(n)) return '8-2012';
  if (/windows 1[01]\b|server 20(1[6-9]|2\d)/.test(n)) return '10-2016+';
  return 'unknown';
}
