import type { Vmware2scwClientApi } from '../api';

/**
 * A stand-in for the vmware2scw API in component tests: the calls a test gives, and for any other call a
 * rejection naming it (a component calling something the test did not expect fails loudly).
 */
export function fakeVmware2scwApi(
  calls: Partial<Vmware2scwClientApi>,
): Vmware2scwClientApi {
  return new Proxy(calls as Vmware2scwClientApi, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof Vmware2scwClientApi];
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return () =>
        Promise.reject(new Error(`unexpected call to ${prop} in this test`));
    },
  });
}

/** A promise that never settles: the component stays in its loading state. */
export const never = <T>() => new Promise<T>(() => {});
