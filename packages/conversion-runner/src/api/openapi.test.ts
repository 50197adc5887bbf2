import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { builtInJobKinds } from '../jobs/jobKinds';
import { packageRoot } from '../PackageRoot';

describe('openapi.yaml', () => {
  const document = parse(
    readFileSync(join(packageRoot(), 'openapi.yaml'), 'utf8'),
  );

  it('documents every route the server answers', () => {
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/v1/health',
        '/v1/jobs',
        '/v1/jobs/{id}',
        '/v1/jobs/{id}/cancel',
        '/v1/jobs/{id}/logs',
      ].sort(),
    );
    expect(document.security).toEqual([{ bearer: [] }]);
  });

  it('lists exactly the registered job kinds', () => {
    expect(
      [
        ...document.components.schemas.JobSubmission.properties.kind.enum,
      ].sort(),
    ).toEqual(builtInJobKinds.map(kind => kind.kind).sort());
  });
});
