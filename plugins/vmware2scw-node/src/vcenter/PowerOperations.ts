import { InvalidPowerStateError } from './faults';
import type { WaitOptions } from './TaskWaiter';
import type { VcenterConnection } from './VcenterConnection';
import { vmRef, type VmRef } from './VimRefs';
import { morefXml, xml } from './VimXml';
import { text } from './VimValue';

/** Power operations on VMs, each idempotent so that a post-migration step can run twice. */
export class PowerOperations {
  constructor(private readonly vc: VcenterConnection) {}

  /**
   * Powers a VM off (hard power-off, as PowerOffVM_Task does) and waits. A VM that is already off
   * is not an error.
   */
  async powerOff(
    vm: VmRef,
    opts: WaitOptions = {},
  ): Promise<{ alreadyOff: boolean }> {
    const ref = vmRef(vm);
    const state = await this.vc.run(
      async ({ pc }) =>
        text(
          (
            await pc.retrieveOne(ref, ['runtime.powerState'], opts)
          )?.props['runtime.powerState'],
        ),
      opts.signal,
    );
    if (state === 'poweredOff') return { alreadyOff: true };
    try {
      const res = await this.vc.call(
        'PowerOffVM_Task',
        xml`${morefXml('_this', ref)}`,
        opts,
      );
      await this.vc.waitTask(res.returnval, 'PowerOffVM_Task', opts);
      return { alreadyOff: false };
    } catch (err) {
      if (
        err instanceof InvalidPowerStateError &&
        err.existingState === 'poweredOff'
      ) {
        return { alreadyOff: true };
      }
      throw err;
    }
  }
}
