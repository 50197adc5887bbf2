import { bootsWith, probeAccel, probeBootSector } from './AccelProbe';

describe('KVM/TCG probe', () => {
  it('builds a bootable 512-byte sector', () => {
    const sector = probeBootSector();
    expect(sector).toHaveLength(512);
    expect(sector.readUInt16LE(510)).toBe(0xaa55);
  });

  it('boots the probe under TCG within seconds', async () => {
    await expect(bootsWith('tcg', 20_000)).resolves.toMatchObject({ ok: true });
  }, 30_000);

  it('falls back to TCG when there is no KVM device, and says why', async () => {
    const result = await probeAccel({
      mode: 'auto',
      timeoutMs: 5000,
      kvmDevice: '/nonexistent/kvm',
    });
    expect(result).toMatchObject({
      mode: 'tcg',
      reason: expect.stringContaining('/nonexistent/kvm'),
    });
  });

  it('decides once, with a reason, on this host', async () => {
    const result = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
    expect(['kvm', 'tcg']).toContain(result.mode);
    expect(result.reason.length).toBeGreaterThan(10);
    expect(result.probeMs).toBeLessThan(15_000);
  }, 30_000);
});
