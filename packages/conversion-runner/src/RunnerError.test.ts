import {
  errorBodySchema,
  Vmware2scwError,
} from '@internal/plugin-vmware2scw-common';
import { RunnerError, toRunnerError } from './RunnerError';

describe('RunnerError', () => {
  it('is a Vmware2scwError whose JSON is the documented error body', () => {
    const error = new RunnerError({
      code: 'HOST_NOT_ALLOWED',
      httpStatus: 403,
      message: 'params.source.url host evil.lab is not in allowedHosts.',
      remediation: 'Add it to allowedHosts.',
      details: { host: 'evil.lab' },
    });
    expect(error).toBeInstanceOf(Vmware2scwError);
    expect(error.httpStatus).toBe(403);
    const body = JSON.parse(JSON.stringify(error));
    expect(errorBodySchema.strict().parse(body)).toEqual({
      code: 'HOST_NOT_ALLOWED',
      message: 'params.source.url host evil.lab is not in allowedHosts.',
      remediation: 'Add it to allowedHosts.',
      details: { host: 'evil.lab' },
    });
  });

  it('keeps code and remediation of another vmware2scw error, and gives a foreign one a remediation', () => {
    const shared = new Vmware2scwError({
      code: 'INVALID_THUMBPRINT',
      message: 'bad pin',
      remediation: 'copy it again',
    });
    expect(toRunnerError(shared).toJSON()).toEqual(shared.toBody());
    expect(toRunnerError(new Error('boom')).toJSON()).toMatchObject({
      code: 'INTERNAL',
      message: 'boom',
      remediation: expect.stringContaining('job log'),
    });
  });
});
