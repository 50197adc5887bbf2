import { Agent } from 'undici';
import {
  InvalidPowerStateError,
  VcenterAbortedError,
  VcenterTimeoutError,
} from './faults';
import { PropertyCollector } from './PropertyCollector';
import { SoapTransport } from './SoapTransport';
import { TaskWaiter } from './TaskWaiter';
import { FakeVcenter, soapResponse } from './testing/FakeVcenter';

const TASK = { type: 'Task', value: 'task-68' };

function taskInfo(state: string, extra = '') {
  return soapResponse(
    'RetrievePropertiesEx',
    `<returnval><objects><obj type="Task">task-68</obj><propSet><name>info.state</name><val xsi:type="TaskInfoState">${state}</val></propSet>${extra}</objects></returnval>`,
  );
}

describe('TaskWaiter', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  afterEach(() => fake?.close());
  afterAll(() => dispatcher.close());
  const waiter = () =>
    new TaskWaiter(
      new PropertyCollector(
        new SoapTransport({ sdkUrl: new URL(fake.sdkUrl), dispatcher }),
        {
          type: 'PropertyCollector',
          value: 'propertyCollector',
        },
      ),
    );

  it('polls Task.info until success, reporting progress, and returns the result', async () => {
    const states = [
      taskInfo('queued'),
      taskInfo(
        'running',
        '<propSet><name>info.progress</name><val xsi:type="xsd:int">40</val></propSet>',
      ),
      taskInfo(
        'success',
        '<propSet><name>info.result</name><val type="VirtualMachineSnapshot" xsi:type="ManagedObjectReference">snapshot-69</val></propSet>',
      ),
    ];
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () => states.shift()!,
    });
    const progress: number[] = [];
    const res = await waiter().wait(TASK, 'CreateSnapshot_Task', {
      pollMs: { initial: 5, max: 10 },
      onProgress: p => progress.push(p),
    });
    expect(res.resultRef).toEqual({
      type: 'VirtualMachineSnapshot',
      value: 'snapshot-69',
    });
    expect(progress).toEqual([40]);
    expect(fake.calls[0].body).toContain('<obj type="Task">task-68</obj>');
  });

  it('raises the task fault as a typed error naming the task', async () => {
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () =>
        taskInfo(
          'error',
          '<propSet><name>info.error</name><val xsi:type="LocalizedMethodFault"><fault xsi:type="InvalidPowerState"><requestedState>poweredOff</requestedState><existingState>poweredOn</existingState></fault><localizedMessage>The attempted operation cannot be performed in the current state (Powered on).</localizedMessage></val></propSet>',
        ),
    });
    const err = await waiter()
      .wait(TASK, 'ExportVm')
      .catch(e => e);
    expect(err).toBeInstanceOf(InvalidPowerStateError);
    expect(err.task).toBe('task-68');
    expect(err.vcenterMessage).toMatch(/Powered on/);
  });

  it('gives up at the deadline, saying the task may still complete', async () => {
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () => taskInfo('running'),
    });
    const err = await waiter()
      .wait(TASK, 'RemoveSnapshot_Task', {
        timeoutMs: 100,
        pollMs: { initial: 10, max: 20 },
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(VcenterTimeoutError);
    expect(err.remediation).toMatch(/may still complete/);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    fake = await FakeVcenter.start({
      RetrievePropertiesEx: () => taskInfo('running'),
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = Date.now();
    const err = await waiter()
      .wait(TASK, 'CreateSnapshot_Task', {
        signal: ac.signal,
        pollMs: { initial: 10_000, max: 10_000 },
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(VcenterAbortedError);
    expect(err.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
