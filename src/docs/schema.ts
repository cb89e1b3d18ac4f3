// Reference tables from the JSON Schemas in schemas/: one row per field (dotted path), with its type,
// whether it is required, and what the schema says about it. Pure: takes the parsed schema.
import { table } from './markdown.ts';

type Schema = Record<string, unknown>;

export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  description: string;
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function resolve(root: Schema, s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return s;
  const target = (root.$defs as Record<string, Schema> | undefined)?.[ref.slice('#/$defs/'.length)];
  return target ? { ...resolve(root, target), ...(typeof s.description === 'string' ? { description: s.description } : {}) } : s;
}

function alternatives(s: Schema): Schema[] {
  const list = (s.oneOf ?? s.anyOf) as unknown;
  return Array.isArray(list) ? list.filter(isSchema) : [];
}

function typeOf(root: Schema, s: Schema): string {
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const alts = alternatives(s);
  if (alts.length > 0) return alts.map((a) => typeOf(root, resolve(root, a))).join(' or ');
  if (s.type === 'array' && isSchema(s.items)) return `array of ${typeOf(root, resolve(root, s.items))}`;
  if (Array.isArray(s.type)) return s.type.join(' or ');
  if (typeof s.type === 'string') return s.type;
  return isSchema(s.properties) ? 'object' : 'any';
}

function notes(s: Schema): string {
  const parts: string[] = [];
  if (typeof s.description === 'string') parts.push(s.description);
  if ('default' in s) parts.push(`Default: \`${JSON.stringify(s.default)}\`.`);
  if (typeof s.minimum === 'number' || typeof s.maximum === 'number') parts.push(`Range: ${s.minimum ?? '…'} to ${s.maximum ?? '…'}.`);
  if (Array.isArray(s.examples) && s.examples.length > 0 && typeof s.examples[0] !== 'object') parts.push(`Example: \`${String(s.examples[0])}\`.`);
  return parts.join(' ');
}

/** Every field of the schema, depth first, in the schema's own order; a $ref cycle stops at the second visit. */
export function schemaFields(root: Schema): FieldRow[] {
  const rows: FieldRow[] = [];
  const seen = new Set<string>();
  const walk = (s0: Schema, prefix: string, trail: readonly string[]): void => {
    const s = resolve(root, s0);
    const objects = [s, ...alternatives(s).map((a) => resolve(root, a))];
    if (s.type === 'array' && isSchema(s.items)) objects.push(resolve(root, s.items));
    for (const obj of objects) {
      const props = obj.properties;
      if (!isSchema(props)) continue;
      const required = new Set(Array.isArray(obj.required) ? obj.required : []);
      for (const [name, raw] of Object.entries(props)) {
        if (!isSchema(raw)) continue;
        const path = `${prefix}${obj === objects.at(-1) && s.type === 'array' ? '[]' : ''}${prefix || (s.type === 'array' && obj !== s) ? '.' : ''}${name}`;
        if (seen.has(path)) continue;
        seen.add(path);
        const child = resolve(root, raw);
        rows.push({ path, type: typeOf(root, child), required: required.has(name), description: notes({ ...child, ...(typeof raw.description === 'string' ? { description: raw.description } : {}) }) });
        const ref = typeof raw.$ref === 'string' ? raw.$ref : undefined;
        if (ref && trail.includes(ref)) continue;
        walk(raw, path, ref ? [...trail, ref] : trail);
      }
    }
  };
  walk(root, '', []);
  return rows;
}

/** One section per schema: its title and description, then the field table. */
export function schemaSection(root: Schema, file: string, heading: string): string {
  const rows = schemaFields(root).map((r) => [`\`${r.path}\``, r.type, r.required ? 'yes' : '', r.description]);
  const desc = typeof root.description === 'string' ? `${root.description}\n\n` : '';
  return `## ${heading}\n\n${desc}Schema: [\`${file}\`](../../${file}).\n\n${table(['Field', 'Type', 'Required', 'What it is'], rows)}`;
}
