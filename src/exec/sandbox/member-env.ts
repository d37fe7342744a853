/** A minimal environment for a member: no secrets of the host, only what shapes dates and text. */
export function memberEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["TZ", "LANG", "LC_ALL"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
