import { dirname } from 'path';

/**
 * The conversion-runner package folder, resolved through the package's own name so it is the same
 * from src/ (tests, dev) and from a built dist/: guest scripts ship beside src/ in guest-scripts/.
 */
export function packageRoot(): string {
  return dirname(
    require.resolve('@internal/vmware2scw-conversion-runner/package.json'),
  );
}
