import { runTool } from './ToolRunner';

describe('runTool bounds', () => {
  it('stops a tool at its timeout', async () => {
    const started = Date.now();
    await expect(
      runTool('sleep', ['30'], { timeoutMs: 1500 }),
    ).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining('timed out'),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops a tool that prints without end, keeping none of it', async () => {
    await expect(
      runTool('yes', ['vmware2scw'], { maxStdoutBytes: 1024 * 1024 }),
    ).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining('printed more than 1048576 bytes'),
    });
  });

  it('cuts a line without newline instead of growing it', async () => {
    const lines: string[] = [];
    await runTool('sh', ['-c', "head -c 1000000 /dev/zero | tr '\\0' a"], {
      captureStdout: false,
      onLine: line => lines.push(line),
    });
    expect(lines.length).toBeGreaterThan(1);
    expect(Math.max(...lines.map(line => line.length))).toBeLessThan(70_000);
    expect(
      lines.some(line => line.endsWith('[line cut at 65536 characters]')),
    ).toBe(true);
  });
});
