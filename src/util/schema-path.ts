/**
 * A JSON Schema validator's instance path ("/results/0/locks/folio", JSON Pointer) as a reader
 * writes it: "results[0].locks.folio"; "" for the top level.
 */
export function schemaPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replaceAll('~1', '/').replaceAll('~0', '~')}`))
    .join('')
    .replace(/^\./, '');
}
