import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSchema, type Attribute, type BlockAttribute, type Field, type Model } from '@mrleebo/prisma-ast';
import { PROJECT_ROOT } from '../../src/paths.js';

/** What schema.prisma says the PostgreSQL catalogue must contain. */
export interface ExpectedSchema {
  /** table → column → "type NULL|NOT NULL" */
  tables: Record<string, Record<string, string>>;
  /** index name → "UNIQUE|INDEX table(columns)" */
  indexes: Record<string, string>;
}

const SCALARS: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  Float: 'double precision',
  Decimal: 'numeric',
  Json: 'jsonb',
  Bytes: 'bytea',
  DateTime: 'timestamp(3) without time zone',
};

const NATIVE: Record<string, (arg?: string) => string> = {
  Uuid: () => 'uuid',
  Text: () => 'text',
  VarChar: (n) => `character varying(${n})`,
  Timestamptz: (p = '6') => `timestamp(${p}) with time zone`,
  Timestamp: (p = '6') => `timestamp(${p}) without time zone`,
  JsonB: () => 'jsonb',
  Json: () => 'json',
  Integer: () => 'integer',
  SmallInt: () => 'smallint',
};

const arrayArg = (attr: Attribute | BlockAttribute): string[] => {
  const first = attr.args?.[0]?.value as { type?: string; args?: string[] } | undefined;
  return first?.type === 'array' ? (first.args ?? []).map(String) : [];
};

function columnType(field: Field): string {
  const native = field.attributes?.find((a) => a.group === 'db');
  if (native) {
    const make = NATIVE[native.name];
    if (!make) throw new Error(`schema drift test: add native type @db.${native.name}`);
    return make(native.args?.[0]?.value as string | undefined);
  }
  const base = SCALARS[String(field.fieldType)];
  if (!base) throw new Error(`schema drift test: unknown type ${String(field.fieldType)}`);
  return base;
}

/** Reads prisma/schema.prisma and derives the tables, columns and indexes Prisma would create. */
export function expectedFromPrismaSchema(path = join(PROJECT_ROOT, 'prisma', 'schema.prisma')): ExpectedSchema {
  const schema = getSchema(readFileSync(path, 'utf8'));
  const models = schema.list.filter((b): b is Model => b.type === 'model');
  const modelNames = new Set(models.map((m) => m.name));
  const expected: ExpectedSchema = { tables: {}, indexes: {} };
  for (const model of models) {
    const columns: Record<string, string> = {};
    const fields = model.properties.filter((p): p is Field => p.type === 'field' && !modelNames.has(String(p.fieldType)));
    for (const field of fields) {
      columns[field.name] = `${columnType(field)} ${field.optional ? 'NULL' : 'NOT NULL'}`;
      const attrs = field.attributes ?? [];
      if (attrs.some((a) => a.name === 'id')) expected.indexes[`${model.name}_pkey`] = `UNIQUE ${model.name}(${field.name})`;
      if (attrs.some((a) => a.name === 'unique')) expected.indexes[`${model.name}_${field.name}_key`] = `UNIQUE ${model.name}(${field.name})`;
    }
    for (const attr of model.properties.filter((p): p is BlockAttribute => p.type === 'attribute')) {
      const cols = arrayArg(attr);
      if (attr.name === 'index') expected.indexes[`${model.name}_${cols.join('_')}_idx`] = `INDEX ${model.name}(${cols.join(',')})`;
      if (attr.name === 'unique') expected.indexes[`${model.name}_${cols.join('_')}_key`] = `UNIQUE ${model.name}(${cols.join(',')})`;
      if (attr.name === 'id') expected.indexes[`${model.name}_pkey`] = `UNIQUE ${model.name}(${cols.join(',')})`;
    }
    expected.tables[model.name] = columns;
  }
  return expected;
}
