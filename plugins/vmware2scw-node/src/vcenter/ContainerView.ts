import { badResponse } from './faults';
import type { ObjectSpec } from './PropertyCollector';
import type { SoapTransport } from './SoapTransport';
import { morefXml, xml, type MoRef } from './VimXml';
import { moref } from './VimValue';

/**
 * A ContainerView over a folder: the cheapest way to ask vCenter for "every object of these types",
 * with one traversal spec instead of a hand-built tree walk. Views live in the session; destroy them
 * when done (vCenter keeps them until logout otherwise).
 */
export class ContainerView {
  private constructor(
    private readonly soap: SoapTransport,
    readonly ref: MoRef,
  ) {}

  static async create(
    soap: SoapTransport,
    viewManager: MoRef,
    container: MoRef,
    types: string[],
    opts: { recursive?: boolean; signal?: AbortSignal } = {},
  ): Promise<ContainerView> {
    const res = await soap.call(
      'CreateContainerView',
      xml`${morefXml('_this', viewManager)}${morefXml(
        'container',
        container,
      )}${types.map(t => xml`<type>${t}</type>`)}<recursive>${
        opts.recursive ?? true
      }</recursive>`,
      { signal: opts.signal },
    );
    const ref = moref(res.returnval);
    if (!ref) throw badResponse('CreateContainerView', 'a view');
    return new ContainerView(soap, ref);
  }

  /** The objectSet entry selecting every object of the view (not the view itself). */
  objectSpec(): ObjectSpec {
    return {
      obj: this.ref,
      skip: true,
      selectSet: [
        {
          name: 'traverseView',
          type: 'ContainerView',
          path: 'view',
          skip: false,
        },
      ],
    };
  }

  async destroy(): Promise<void> {
    try {
      await this.soap.call('DestroyView', xml`${morefXml('_this', this.ref)}`);
    } catch {
      // The view dies with the session anyway; a failed cleanup must not hide the real result.
    }
  }

  /** Creates a view, runs `fn`, destroys the view. */
  static async with<T>(
    soap: SoapTransport,
    viewManager: MoRef,
    container: MoRef,
    types: string[],
    fn: (view: ContainerView) => Promise<T>,
    opts: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const view = await ContainerView.create(
      soap,
      viewManager,
      container,
      types,
      opts,
    );
    try {
      return await fn(view);
    } finally {
      await view.destroy();
    }
  }
}
