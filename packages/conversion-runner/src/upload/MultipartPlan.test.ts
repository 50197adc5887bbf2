import { createHash } from 'crypto';
import {
  expectedMultipartEtag,
  MIN_PART_SIZE,
  planMultipart,
} from './MultipartPlan';

const GiB = 1024 ** 3;
const memory = { maxMemoryBytes: 512 * 1024 * 1024, queueSize: 4 };

describe('planMultipart', () => {
  it.each([1, 5 * 1024 * 1024, 3 * GiB, 100 * GiB, 1024 * GiB, 4096 * GiB])(
    'keeps %d bytes within 1000 parts of at least 5 MiB',
    size => {
      const plan = planMultipart(size, memory);
      expect(plan.partSize).toBeGreaterThanOrEqual(MIN_PART_SIZE);
      expect(plan.partSize).toBeGreaterThanOrEqual(Math.ceil(size / 1000));
      expect(plan.partCount).toBeLessThanOrEqual(1000);
      expect(plan.partCount * plan.partSize).toBeGreaterThanOrEqual(size);
    },
  );

  it('prefers bigger parts when asked, never above the file or below the limits', () => {
    expect(
      planMultipart(3 * GiB, {
        ...memory,
        preferredPartSize: 16 * 1024 * 1024,
      }),
    ).toMatchObject({ partSize: 16 * 1024 * 1024, partCount: 192 });
    expect(
      planMultipart(20 * GiB, {
        ...memory,
        preferredPartSize: 16 * 1024 * 1024,
      }).partSize,
    ).toBe(21 * 1024 * 1024);
    expect(
      planMultipart(1024, { ...memory, preferredPartSize: 16 * 1024 * 1024 })
        .partSize,
    ).toBe(MIN_PART_SIZE);
  });

  it('bounds memory: fewer parts in flight when parts are large', () => {
    expect(planMultipart(3 * GiB, memory).queueSize).toBe(4);
    const large = planMultipart(1024 * GiB, memory); // ~1 GiB parts
    expect(large.queueSize).toBe(1);
    expect(large.partSize * large.queueSize).toBeLessThanOrEqual(
      Math.max(memory.maxMemoryBytes, large.partSize),
    );
  });
});

describe('expectedMultipartEtag', () => {
  it('is the md5 of the binary part md5s, suffixed with the part count', () => {
    const parts = ['a', 'b'].map(s =>
      createHash('md5').update(s).digest('hex'),
    );
    const expected = createHash('md5')
      .update(Buffer.concat(parts.map(p => Buffer.from(p, 'hex'))))
      .digest('hex');
    expect(expectedMultipartEtag(parts)).toBe(`${expected}-2`);
    expect(expectedMultipartEtag([parts[0]])).toBe(parts[0]);
  });
});
