import fs from 'node:fs';
import path from 'node:path';
import {
  faultFromLocalized,
  faultFromSoapFault,
  InvalidLoginError,
  InvalidPowerStateError,
  isSessionLost,
  ManagedObjectNotFoundError,
  NotAuthenticatedError,
  TaskInProgressError,
  VcenterFaultError,
} from './faults';
import { parseSoapBody } from './VimXml';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

describe('faults', () => {
  it('turns the vCenter 8 bad-password fault into InvalidLoginError with vCenter words and a remediation', () => {
    const body = parseSoapBody(fixture('Login-InvalidLogin.xml'));
    const err = faultFromSoapFault(body.Fault!, 'Login');
    expect(err).toBeInstanceOf(InvalidLoginError);
    expect(err.code).toBe('VCENTER_INVALID_LOGIN');
    expect(err.faultType).toBe('InvalidLogin');
    expect(err.message).toBe(
      'vCenter rejected Login: InvalidLogin: Cannot complete login due to an incorrect user name or password.',
    );
    expect(err.remediation).toMatch(/user name and password/);
  });

  it('recognises NotAuthenticated as a lost session, without the privilege noise', () => {
    const body = parseSoapBody(fixture('NotAuthenticated.xml'));
    const err = faultFromSoapFault(body.Fault!, 'CreateContainerView');
    expect(err).toBeInstanceOf(NotAuthenticatedError);
    expect(isSessionLost(err)).toBe(true);
    expect(err.message).toBe(
      'vCenter rejected CreateContainerView: NotAuthenticated: The session is not authenticated.',
    );
  });

  it('keeps the object of ManagedObjectNotFound (vcsim shape: detail element named after the fault)', () => {
    const body = parseSoapBody(
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>managed object not found: VirtualMachine:vm-999</faultstring><detail><ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound"><obj type="VirtualMachine">vm-999</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    );
    const err = faultFromSoapFault(
      body.Fault!,
      'PowerOffVM_Task',
    ) as ManagedObjectNotFoundError;
    expect(err).toBeInstanceOf(ManagedObjectNotFoundError);
    expect(err.obj).toEqual({ type: 'VirtualMachine', value: 'vm-999' });
    expect(err.message).toContain('(object VirtualMachine:vm-999)');
  });

  it('maps a task error (LocalizedMethodFault) with the task id', () => {
    const body = parseSoapBody(
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><X><error><fault xsi:type="InvalidPowerState"><requestedState>poweredOff</requestedState><existingState>poweredOn</existingState></fault><localizedMessage>The attempted operation cannot be performed in the current state (Powered on).</localizedMessage></error></X></soapenv:Body></soapenv:Envelope>`,
    );
    const err = faultFromLocalized((body.X as Record<string, never>).error, {
      method: 'ExportVm',
      task: 'task-7',
    }) as InvalidPowerStateError;
    expect(err).toBeInstanceOf(InvalidPowerStateError);
    expect(err.existingState).toBe('poweredOn');
    expect(err.task).toBe('task-7');
    expect(err.message).toMatch(
      /^vCenter task task-7 \(ExportVm\) failed: InvalidPowerState: The attempted/,
    );
  });

  it('has a class per common fault and a generic one for the rest', () => {
    const mk = (type: string) =>
      faultFromSoapFault(
        {
          faultstring: 'x',
          detail: { [`${type}Fault`]: { '@_xsiType': type } },
        },
        'M',
      );
    expect(mk('TaskInProgress')).toBeInstanceOf(TaskInProgressError);
    const other = mk('FileLocked');
    expect(other).toBeInstanceOf(VcenterFaultError);
    expect(other.code).toBe('VCENTER_FAULT');
    expect(other.faultType).toBe('FileLocked');
  });
});
