import type { LoggerService } from '@backstage/backend-plugin-api';
import { badResponse } from './faults';
import { PropertyCollector } from './PropertyCollector';
import type { CallOptions, SoapTransport } from './SoapTransport';
import { TaskWaiter, type TaskResult, type WaitOptions } from './TaskWaiter';
import type { ServiceContent, VcenterSession } from './VcenterSession';
import type { RawXml, XmlNode, XmlValue } from './VimXml';
import { moref } from './VimValue';

/** What an operation gets from {@link VcenterConnection.run}: the service content and its collector. */
export interface VimScope {
  content: ServiceContent;
  pc: PropertyCollector;
}

/**
 * One vCenter as the client's parts use it: the SOAP transport, the login (renewed when vCenter says it
 * is gone) and the property collector of that login. Snapshots, leases, downloads, attributes and power
 * operations each take this and nothing else.
 */
export class VcenterConnection {
  private collector?: PropertyCollector;

  constructor(
    readonly soap: SoapTransport,
    readonly session: VcenterSession,
    readonly logger?: LoggerService,
  ) {}

  /** Runs `op` with a live session; a lost session costs one login and one re-run of `op`. */
  run<T>(
    op: (scope: VimScope) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.session.run(
      content => op({ content, pc: this.propertyCollector(content) }),
      signal,
    );
  }

  /** One SOAP call with a live session (retried once after a re-login). */
  call(method: string, body: RawXml, opts: CallOptions = {}): Promise<XmlNode> {
    return this.session.run(
      () => this.soap.call(method, body, opts),
      opts.signal,
    );
  }

  propertyCollector(content: ServiceContent): PropertyCollector {
    if (!this.collector) {
      this.collector = new PropertyCollector(
        this.soap,
        content.propertyCollector,
        this.logger,
      );
    }
    return this.collector;
  }

  /** Waits for the task a `*_Task` method returned; polling reads are idempotent, so a lost session is simply renewed. */
  waitTask(
    returnval: XmlValue | undefined,
    method: string,
    opts: WaitOptions,
  ): Promise<TaskResult> {
    const task = moref(returnval);
    if (!task) throw badResponse(method, 'a task');
    return this.run(
      ({ pc }) => new TaskWaiter(pc).wait(task, method, opts),
      opts.signal,
    );
  }
}
