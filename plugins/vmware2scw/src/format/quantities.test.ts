import {
  formatBytes,
  formatDuration,
  formatEur,
  formatRate,
  formatTimestamp,
} from './quantities';

describe('quantities', () => {
  it('writes sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(16 * 2 ** 30)).toBe('16.0 GiB');
    expect(formatBytes(120 * 2 ** 30)).toBe('120 GiB');
    expect(formatRate(50 * 2 ** 20)).toBe('50.0 MiB/s');
  });

  it('writes durations the way an operator reads them', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3900)).toBe('1 h 05 min');
    expect(formatDuration(3 * 86400 + 7200)).toBe('3 d 2 h');
  });

  it('writes euros and UTC timestamps', () => {
    expect(formatEur(1234.5)).toBe('€1,234.50');
    expect(formatTimestamp('2026-11-20T14:03:59.000Z')).toBe(
      '2026-11-20 14:03 UTC',
    );
    expect(formatTimestamp('not a date')).toBe('not a date');
  });
});
