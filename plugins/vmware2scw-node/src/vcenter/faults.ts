import {
  Vmware2scwError,
  type Vmware2scwErrorOptions,
} from '@internal/plugin-vmware2scw-common';
import type { MoRef, XmlValue } from './VimXml';
import { at, isNode, moref, text, xsiType } from './VimValue';

/**
 * Typed errors of the vCenter client, on the one error base of vmware2scw: a stable `code`, a message
 * that names what failed (the method, the object) with vCenter's own words when it gave some, and a
 * `remediation` line saying what to do. None of them ever contains a password or a request body.
 */
export interface VcenterErrorOptions extends Vmware2scwErrorOptions {
  /** vim25 fault type (`InvalidLogin`, `TaskInProgress` ...) when the error is a vCenter fault. */
  faultType?: string;
  /** The fault string / localized message as vCenter sent it. */
  vcenterMessage?: string;
  /** The SOAP method (or operation) that failed. */
  method?: string;
  /** The task whose failure this is, when it came from `Task.info.error`. */
  task?: string;
  /** HTTP status of a non-SOAP answer (`VcenterHttpError`, `VcenterRestError`). */
  status?: number;
}

export class VcenterError extends Vmware2scwError {
  readonly faultType?: string;
  readonly vcenterMessage?: string;
  readonly method?: string;
  readonly task?: string;

  constructor(opts: VcenterErrorOptions) {
    super(opts);
    this.faultType = opts.faultType;
    this.vcenterMessage = opts.vcenterMessage;
    this.method = opts.method;
    this.task = opts.task;
  }
}

/** A SOAP fault (or task error) whose type has no dedicated class. */
export class VcenterFaultError extends VcenterError {}

export class InvalidLoginError extends VcenterError {}
export class NotAuthenticatedError extends VcenterError {}
export class NoPermissionError extends VcenterError {
  privilegeId?: string;
}
export class ManagedObjectNotFoundError extends VcenterError {
  obj?: MoRef;
}
export class TaskInProgressError extends VcenterError {}
export class InvalidPowerStateError extends VcenterError {
  requestedState?: string;
  existingState?: string;
}
export class InvalidStateError extends VcenterError {}
export class MethodNotFoundError extends VcenterError {}
export class InvalidArgumentError extends VcenterError {}
export class DuplicateNameError extends VcenterError {}
export class RequestCanceledError extends VcenterError {}

/** TLS verification failed or the pinned thumbprint did not match. */
export class VcenterTlsError extends VcenterError {}
/** An HTTP answer that is not a SOAP response or fault (proxy error, 503 during vCenter restart ...). */
export class VcenterHttpError extends VcenterError {
  readonly status?: number;
  constructor(opts: VcenterErrorOptions) {
    super(opts);
    this.status = opts.status;
  }
}
/** The response could not be understood as vim25 SOAP. */
export class VcenterProtocolError extends VcenterError {}
/** Invalid client options (URL, thumbprint ...). */
export class VcenterConfigError extends VcenterError {}
/** A wait (task, lease) exceeded its deadline; the operation may still complete in vCenter. */
export class VcenterTimeoutError extends VcenterError {}
/** The caller's AbortSignal fired. `name` is `AbortError`, as for fetch. */
export class VcenterAbortedError extends VcenterError {
  override name = 'AbortError';
}
export class SnapshotNotFoundError extends VcenterError {}
export class AmbiguousSnapshotError extends VcenterError {}
/** An NFC export lease went to `error`, or could not be kept alive. */
export class NfcLeaseError extends VcenterError {}
/** vAPI REST (tagging) errors. */
export class VcenterRestError extends VcenterError {
  readonly status?: number;
  constructor(opts: VcenterErrorOptions) {
    super(opts);
    this.status = opts.status;
  }
}

interface FaultKind {
  cls: new (opts: VcenterErrorOptions) => VcenterError;
  code: string;
  remediation: string;
  defaultMessage: string;
}

const FAULTS: Record<string, FaultKind> = {
  InvalidLogin: {
    cls: InvalidLoginError,
    code: 'VCENTER_INVALID_LOGIN',
    remediation:
      'Check the vCenter user name and password in the configuration (user@domain form for SSO users).',
    defaultMessage: 'incorrect user name or password',
  },
  NotAuthenticated: {
    cls: NotAuthenticatedError,
    code: 'VCENTER_NOT_AUTHENTICATED',
    remediation:
      'The vCenter session expired or was closed; the client logs in again by itself, so retry the operation.',
    defaultMessage: 'the session is not authenticated',
  },
  NoPermission: {
    cls: NoPermissionError,
    code: 'VCENTER_NO_PERMISSION',
    remediation:
      'Grant the vCenter role of this user the privilege named in the message on the object (see the package README for the list).',
    defaultMessage: 'permission denied',
  },
  ManagedObjectNotFound: {
    cls: ManagedObjectNotFoundError,
    code: 'VCENTER_OBJECT_NOT_FOUND',
    remediation:
      'The object no longer exists in vCenter (deleted, or re-registered with a new id): refresh the inventory and retry.',
    defaultMessage: 'managed object not found',
  },
  TaskInProgress: {
    cls: TaskInProgressError,
    code: 'VCENTER_TASK_IN_PROGRESS',
    remediation:
      'Another task is running on this VM (backup, snapshot, vMotion): wait for it to finish, then retry.',
    defaultMessage: 'another task is in progress',
  },
  InvalidPowerState: {
    cls: InvalidPowerStateError,
    code: 'VCENTER_INVALID_POWER_STATE',
    remediation:
      'The VM is not in the power state this operation needs (ExportVm needs it powered off): change its state or use a snapshot export.',
    defaultMessage: 'the VM is in the wrong power state',
  },
  InvalidState: {
    cls: InvalidStateError,
    code: 'VCENTER_INVALID_STATE',
    remediation:
      'The object is in a state that forbids this operation (e.g. a lease already completed, a VM being reconfigured): check it in vCenter and retry.',
    defaultMessage: 'the object is in an invalid state',
  },
  MethodNotFound: {
    cls: MethodNotFoundError,
    code: 'VCENTER_METHOD_NOT_SUPPORTED',
    remediation:
      'This vCenter (or simulator) does not implement the method: use a supported vCenter version or another transfer method.',
    defaultMessage: 'method not implemented by the server',
  },
  InvalidArgument: {
    cls: InvalidArgumentError,
    code: 'VCENTER_INVALID_ARGUMENT',
    remediation:
      'A request parameter was rejected by vCenter; the message names it.',
    defaultMessage: 'invalid argument',
  },
  InvalidRequest: {
    cls: InvalidArgumentError,
    code: 'VCENTER_INVALID_REQUEST',
    remediation:
      'vCenter could not decode the request; report it with the method name.',
    defaultMessage: 'invalid request',
  },
  InvalidProperty: {
    cls: InvalidArgumentError,
    code: 'VCENTER_INVALID_PROPERTY',
    remediation:
      'A property path is not valid for this vCenter version; report it with the method name.',
    defaultMessage: 'invalid property',
  },
  DuplicateName: {
    cls: DuplicateNameError,
    code: 'VCENTER_DUPLICATE_NAME',
    remediation:
      'An object with this name already exists: choose another name or reuse it.',
    defaultMessage: 'duplicate name',
  },
  RequestCanceled: {
    cls: RequestCanceledError,
    code: 'VCENTER_REQUEST_CANCELED',
    remediation:
      'The task was canceled in vCenter (by a user or a timeout): retry when appropriate.',
    defaultMessage: 'the request was canceled',
  },
};

// Subtypes that should be caught as their parent.
const FAULT_PARENTS: Record<string, string> = {
  InvalidPowerState: 'InvalidPowerState',
  NotAuthenticated: 'NotAuthenticated',
  InvalidDatastoreState: 'InvalidState',
  InvalidHostState: 'InvalidState',
  InvalidVmState: 'InvalidState',
  SnapshotFault: 'InvalidState',
};

export interface FaultInput {
  /** vim25 fault type, e.g. `InvalidLogin`. */
  faultType?: string;
  /** faultstring / localizedMessage from vCenter. */
  message?: string;
  /** The fault detail node (fields such as `obj`, `privilegeId`, `existingState`). */
  detail?: XmlValue;
  method?: string;
  task?: string;
}

/** Turns a vCenter fault into the matching typed error. */
export function faultError(input: FaultInput): VcenterError {
  const type = input.faultType ?? 'SystemError';
  const kind = FAULTS[type] ?? FAULTS[FAULT_PARENTS[type] ?? ''];
  const vcMessage = input.message?.trim() || undefined;
  const what = input.task
    ? `vCenter task ${input.task} (${input.method ?? 'task'}) failed`
    : `vCenter rejected ${input.method ?? 'the request'}`;
  const details = describeDetail(type, input.detail);
  const message = `${what}: ${type}: ${
    vcMessage ?? kind?.defaultMessage ?? 'no message'
  }${details}`;
  const opts: VcenterErrorOptions = {
    code: kind?.code ?? 'VCENTER_FAULT',
    message,
    remediation:
      kind?.remediation ??
      'vCenter reported a fault: read its message; the vCenter task list and vpxd logs tell more.',
    faultType: type,
    vcenterMessage: vcMessage,
    method: input.method,
    task: input.task,
  };
  const err = new (kind?.cls ?? VcenterFaultError)(opts);
  if (err instanceof ManagedObjectNotFoundError)
    err.obj = moref(at(input.detail, 'obj'));
  if (err instanceof NoPermissionError)
    err.privilegeId = text(at(input.detail, 'privilegeId'));
  if (err instanceof InvalidPowerStateError) {
    err.requestedState = text(at(input.detail, 'requestedState'));
    err.existingState = text(at(input.detail, 'existingState'));
  }
  return err;
}

function describeDetail(type: string, detail: XmlValue | undefined): string {
  if (!isNode(detail)) return '';
  const parts: string[] = [];
  const obj = moref(detail.obj) ?? moref(detail.object);
  if (obj && type !== 'NotAuthenticated')
    parts.push(`object ${obj.type}:${obj.value}`);
  const privilege = text(detail.privilegeId);
  if (privilege && type !== 'NotAuthenticated')
    parts.push(`privilege ${privilege}`);
  const existing = text(detail.existingState);
  if (existing) parts.push(`state ${existing}`);
  const property = text(detail.invalidProperty);
  if (property) parts.push(`property ${property}`);
  const name = text(detail.name);
  if (name && type === 'DuplicateName') parts.push(`name ${name}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * Reads a SOAP Fault element (`<Fault><faultcode/><faultstring/><detail><XxxFault xsi:type="Xxx">`).
 */
export function faultFromSoapFault(
  fault: XmlValue,
  method: string,
): VcenterError {
  const faultstring = text(at(fault, 'faultstring'));
  const detailNode = at(fault, 'detail');
  let faultType: string | undefined;
  let detail: XmlValue | undefined;
  if (isNode(detailNode)) {
    for (const [name, value] of Object.entries(detailNode)) {
      if (name.startsWith('@_') || name === '#text' || value === undefined)
        continue;
      faultType = xsiType(value) ?? name.replace(/Fault$/, '');
      detail = value;
      break;
    }
  }
  return faultError({ faultType, message: faultstring, detail, method });
}

/**
 * Reads a LocalizedMethodFault (`Task.info.error`, `missingSet[].fault`, `HttpNfcLease.error`):
 * `<fault xsi:type="Xxx">...</fault><localizedMessage>...</localizedMessage>`.
 */
export function faultFromLocalized(
  value: XmlValue | undefined,
  context: { method?: string; task?: string },
): VcenterError {
  const inner = at(value, 'fault');
  return faultError({
    faultType: xsiType(inner),
    message: text(at(value, 'localizedMessage')),
    detail: inner,
    method: context.method,
    task: context.task,
  });
}

/** An answer of `method` that lacks what the vim25 WSDL promises (`what`): never trusted further. */
export function badResponse(
  method: string,
  what: string,
): VcenterProtocolError {
  return new VcenterProtocolError({
    code: 'VCENTER_BAD_RESPONSE',
    message: `vCenter answered ${method} without ${what}`,
    remediation:
      'Report this with the vCenter version; the SOAP answer had an unexpected shape.',
    method,
  });
}

/** True for errors after which a fresh login makes the same call succeed. */
export function isSessionLost(err: unknown): boolean {
  return err instanceof NotAuthenticatedError;
}
