import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  badResponse,
  isSessionLost,
  NotAuthenticatedError,
  VcenterAbortedError,
} from './faults';
import type { SoapTransport } from './SoapTransport';
import { morefXml, xml, type MoRef, type XmlValue } from './VimXml';
import { at, moref, text } from './VimValue';

/** The parts of `ServiceInstance.content` the client uses. */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  customFieldsManager?: MoRef;
  /** Absent on an ESXi host without statistics. */
  perfManager?: MoRef;
  about: {
    fullName?: string;
    version?: string;
    build?: string;
    apiType?: string;
    apiVersion?: string;
    instanceUuid?: string;
  };
}

export interface UserSession {
  key?: string;
  userName?: string;
  loginTime?: string;
}

/**
 * A login to one vCenter: RetrieveServiceContent, Login with the session cookie, Logout, and a
 * transparent re-login when vCenter says the session is gone (idle expiry after ~30 min, vCenter
 * restart, a Logout elsewhere). Operations run through {@link VcenterSession.run} so that a lost
 * session costs one login and one retry of the whole operation (views and paging tokens die with
 * the session, so retrying a single call would not be enough).
 */
export class VcenterSession {
  readonly #username: string;
  // A private field: never enumerated, inspected or serialized with the object.
  readonly #password: string;
  private content?: ServiceContent;
  private loggedIn = false;
  private inflightLogin?: Promise<UserSession>;
  /** Increments on every successful login; tells a failed operation whether someone re-logged already. */
  private generation = 0;

  constructor(
    private readonly soap: SoapTransport,
    credentials: { username: string; password: string },
    private readonly logger?: LoggerService,
  ) {
    this.#username = credentials.username;
    this.#password = credentials.password;
  }

  get username(): string {
    return this.#username;
  }

  get isLoggedIn(): boolean {
    return this.loggedIn;
  }

  async serviceContent(signal?: AbortSignal): Promise<ServiceContent> {
    if (!this.content) {
      const res = await this.soap.call(
        'RetrieveServiceContent',
        xml`<_this type="ServiceInstance">ServiceInstance</_this>`,
        { signal },
      );
      this.content = parseServiceContent(res.returnval);
      // Ask for answers in the server's own API version, so that newer device types (vTPM ...)
      // are not folded into their base type.
      if (this.content.about.apiVersion)
        this.soap.apiVersion = this.content.about.apiVersion;
    }
    return this.content;
  }

  /**
   * Logs in (again). Concurrent callers share one Login call, which no caller's signal can cancel: a
   * caller that aborts stops waiting, the others still get the session. A login while a session is live
   * (an explicit re-login, a 401 of a download) logs that session out first, so that it does not count
   * against vCenter's session limit until it expires.
   */
  login(signal?: AbortSignal): Promise<UserSession> {
    if (!this.inflightLogin) {
      const inflight = this.doLogin().finally(() => {
        this.inflightLogin = undefined;
      });
      // Every caller may have stopped waiting: the outcome must not become an unhandled rejection.
      inflight.catch(() => undefined);
      this.inflightLogin = inflight;
    }
    return untilAborted(this.inflightLogin, signal, 'Login');
  }

  private async doLogin(): Promise<UserSession> {
    const content = await this.serviceContent();
    if (this.loggedIn) await this.logoutQuietly(content);
    // A stale cookie would make vCenter (and vcsim) treat Login as a call on a dead session.
    this.soap.clearSession();
    this.loggedIn = false;
    const res = await this.soap.call(
      'Login',
      xml`${morefXml('_this', content.sessionManager)}<userName>${
        this.#username
      }</userName><password>${this.#password}</password>`,
    );
    this.loggedIn = true;
    this.generation++;
    const session = {
      key: text(at(res.returnval, 'key')),
      userName: text(at(res.returnval, 'userName')),
      loginTime: text(at(res.returnval, 'loginTime')),
    };
    this.logger?.info(
      `Logged in to vCenter ${this.soap.sdkUrl.host} as ${
        session.userName ?? this.#username
      }`,
    );
    return session;
  }

  /** Logout of the session about to be replaced; a failure only means it is already gone. */
  private async logoutQuietly(content: ServiceContent): Promise<void> {
    try {
      await this.soap.call(
        'Logout',
        xml`${morefXml('_this', content.sessionManager)}`,
      );
    } catch (err) {
      this.logger?.debug(
        `vCenter ${
          this.soap.sdkUrl.host
        }: logout of the replaced session failed: ${String(err)}`,
      );
    }
  }

  async logout(signal?: AbortSignal): Promise<void> {
    if (!this.loggedIn || !this.content) return;
    this.loggedIn = false;
    try {
      await this.soap.call(
        'Logout',
        xml`${morefXml('_this', this.content.sessionManager)}`,
        {
          signal,
        },
      );
    } catch (err) {
      // Logging out of a session that already expired is not a failure.
      if (!isSessionLost(err)) throw err;
    } finally {
      this.soap.clearSession();
    }
  }

  /**
   * Runs an operation with a live session: logs in first if needed, and if the operation fails
   * because the session was lost, logs in again and runs it once more.
   */
  async run<T>(
    op: (content: ServiceContent) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    if (!this.loggedIn) await this.login(signal);
    const content = await this.serviceContent(signal);
    const generation = this.generation;
    try {
      return await op(content);
    } catch (err) {
      if (!(err instanceof NotAuthenticatedError)) throw err;
      this.logger?.info(
        `vCenter ${this.soap.sdkUrl.host} session lost (${err.faultType}); logging in again`,
      );
      if (this.generation === generation) {
        this.loggedIn = false;
        await this.login(signal);
      }
      return await op(content);
    }
  }
}

function parseServiceContent(v: XmlValue | undefined): ServiceContent {
  const ref = (name: string) => moref(at(v, name));
  const required = (name: string) => {
    const r = ref(name);
    if (!r) throw badResponse('RetrieveServiceContent', name);
    return r;
  };
  const about = at(v, 'about');
  return {
    rootFolder: required('rootFolder'),
    propertyCollector: required('propertyCollector'),
    viewManager: required('viewManager'),
    sessionManager: required('sessionManager'),
    customFieldsManager: ref('customFieldsManager'),
    perfManager: ref('perfManager'),
    about: {
      fullName: text(at(about, 'fullName')),
      version: text(at(about, 'version')),
      build: text(at(about, 'build')),
      apiType: text(at(about, 'apiType')),
      apiVersion: text(at(about, 'apiVersion')),
      instanceUuid: text(at(about, 'instanceUuid')),
    },
  };
}

/** `promise`, or a VcenterAbortedError as soon as `signal` aborts (the work behind `promise` goes on). */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  method: string,
): Promise<T> {
  if (!signal) return promise;
  const aborted = () =>
    new VcenterAbortedError({
      code: 'VCENTER_ABORTED',
      message: `${method} was aborted`,
      remediation: 'The operation was canceled by its caller.',
      method,
      cause: signal.reason,
    });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      err => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
