/** Variables a host tool may inherit from the runner: what qemu-img and libguestfs need to run, nothing else. */
const INHERITED =
  /^(PATH|HOME|TMPDIR|LANG|LC_[A-Z]+|TZ|LIBGUESTFS_[A-Z_]+|SUPERMIN_[A-Z_]+)$/;

/**
 * The environment of a tool the runner starts: the inherited variables above plus `extra`. The bearer
 * token, the S3 keys and whatever else the runner's environment holds stay out of qemu-img, guestfish
 * and virt-customize (which run guest code) and out of their crash dumps and debug output.
 */
export function toolEnv(
  extra: NodeJS.ProcessEnv = {},
  from: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from))
    if (value !== undefined && INHERITED.test(name)) env[name] = value;
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return { ...env, ...extra };
}
