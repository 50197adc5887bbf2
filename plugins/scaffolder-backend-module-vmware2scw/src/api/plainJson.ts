/**
 * An API answer as plain JSON made here. The scaffolder's templating refuses arrays and objects whose
 * prototype is not this realm's (`Template arrays cannot use a custom prototype`), and a fetch running
 * in another realm (Node's own fetch seen from a jest sandbox) answers with exactly those; copying also
 * keeps task outputs and checkpoints detached from the client's objects.
 */
export function plainJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
