import { Agent } from 'undici';
import { ContainerView } from './ContainerView';
import { SoapTransport } from './SoapTransport';
import { FakeVcenter, soapResponse } from './testing/FakeVcenter';
import { vc8Handlers } from './testing/Vc8Fixtures';

describe('ContainerView', () => {
  const dispatcher = new Agent();
  let fake: FakeVcenter;
  afterEach(() => fake?.close());
  afterAll(() => dispatcher.close());

  it('creates a recursive view over several types and always destroys it', async () => {
    fake = await FakeVcenter.start(
      vc8Handlers({ DestroyView: () => soapResponse('DestroyView') }),
    );
    const soap = new SoapTransport({
      sdkUrl: new URL(fake.sdkUrl),
      dispatcher,
    });
    const viewManager = { type: 'ViewManager', value: 'ViewManager' };
    const root = { type: 'Folder', value: 'group-d1' };

    await expect(
      ContainerView.with(
        soap,
        viewManager,
        root,
        ['Datacenter', 'HostSystem'],
        async view => {
          expect(view.ref.value).toMatch(/^session\[/);
          expect(view.objectSpec()).toMatchObject({
            skip: true,
            selectSet: [{ path: 'view', type: 'ContainerView' }],
          });
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');

    expect(fake.calls[0].body).toContain(
      '<_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>Datacenter</type><type>HostSystem</type><recursive>true</recursive>',
    );
    expect(fake.calls.map(c => c.method)).toEqual([
      'CreateContainerView',
      'DestroyView',
    ]);
  });
});
