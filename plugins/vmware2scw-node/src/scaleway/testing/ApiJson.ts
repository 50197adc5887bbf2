/** Fields the API holds as floats: written `4599.0`, not `4599`, when the value is whole. */
const FLOAT_FIELDS = new Set(['monthly_price', 'hourly_price']);

/**
 * JSON as the Instance API writes it (Python's `json.dumps`): `{"a": 1, "b": [1, 2]}`, and floats
 * with a decimal point even when whole. The Block API writes compact JSON (`JSON.stringify`).
 */
export function apiJson(value: unknown, key?: string): string {
  if (Array.isArray(value)) return `[${value.map(v => apiJson(v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${apiJson(v, k)}`)
      .join(', ')}}`;
  }
  if (
    typeof value === 'number' &&
    key &&
    FLOAT_FIELDS.has(key) &&
    Number.isInteger(value)
  ) {
    return `${value}.0`;
  }
  return JSON.stringify(value);
}
