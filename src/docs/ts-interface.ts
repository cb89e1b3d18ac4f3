// Field tables from TypeScript interfaces (the /status document, the emulator's fault settings),
// read with the compiler API: each property's dotted path, type and comment (JSDoc or the `//`
// comment after it). Nested object types of our own are expanded; library types and records are not.
import ts from 'typescript';

export interface TypeField {
  path: string;
  type: string;
  optional: boolean;
  doc: string;
}

/** One program for all the interfaces wanted: parsing and type-checking is the slow part. */
export function createTypeReader(files: readonly string[]): (file: string, name: string) => TypeField[] {
  const program = ts.createProgram([...files], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  return (file, name) => {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not part of the program`);
    const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (!decl) throw new Error(`${file} declares no interface ${name}`);
    const fields: TypeField[] = [];
    walk(checker, checker.getTypeAtLocation(decl), '', fields, new Set());
    return fields;
  };
}

function docOf(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  const jsdoc = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  if (jsdoc) return jsdoc;
  const decl = symbol.declarations?.[0];
  if (!decl) return '';
  const text = decl.getSourceFile().text;
  const trailing = ts.getTrailingCommentRanges(text, decl.end + (text[decl.end] === ';' || text[decl.end] === ',' ? 1 : 0)) ?? [];
  return trailing.map((r) => text.slice(r.pos, r.end).replace(/^\/\/\s?|^\/\*+\s?|\s*\*\/$/g, '')).join(' ').trim();
}

/** Our own object types (declared under src/, not a Record or a library type) are worth expanding. */
function expandable(type: ts.Type): ts.Type | undefined {
  const t = type.isUnion() ? type.types.find((u) => (u.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) === 0 && type.types.length <= 3) : type;
  if (!t || !(t.flags & ts.TypeFlags.Object) || t.aliasSymbol?.name === 'Record') return undefined;
  const file = t.getSymbol()?.declarations?.[0]?.getSourceFile().fileName ?? '';
  return file.includes('/node_modules/') ? undefined : t;
}

/** Unions of literals spelled out (a reader needs the values, not the alias); expanded objects are just "object". */
function typeText(checker: ts.TypeChecker, type: ts.Type, expanded: boolean): string {
  const members = type.isUnion() ? type.types : [type];
  const isNull = (t: ts.Type) => (t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) !== 0;
  const nullable = members.some((t) => (t.flags & ts.TypeFlags.Null) !== 0) ? ' | null' : '';
  if (expanded) return `object${nullable}`;
  if (type.isUnion() && members.some(isNull) && !nullable) return typeText(checker, checker.getNonNullableType(type), false);
  const values = members.filter((t) => !isNull(t));
  if (values.length > 0 && values.every((t) => (t.flags & ts.TypeFlags.BooleanLiteral) !== 0)) return `boolean${nullable}`;
  if (values.length > 1 && values.every((t) => t.isLiteral() || (t.flags & ts.TypeFlags.BooleanLiteral) !== 0)) {
    return `${values.map((t) => checker.typeToString(t, undefined, ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType)).join(' | ')}${nullable}`;
  }
  return checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType).replace(/ \| undefined$/, '');
}

function walk(checker: ts.TypeChecker, type: ts.Type, prefix: string, out: TypeField[], seen: Set<ts.Type>): void {
  if (seen.has(type)) return;
  seen.add(type);
  for (const prop of checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (!decl) continue;
    const propType = checker.getTypeOfSymbolAtLocation(prop, decl);
    const path = `${prefix}${prop.name}`;
    const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
    const defined = checker.getNonNullableType(propType);
    const element = checker.isArrayType(defined) ? checker.getTypeArguments(defined as ts.TypeReference)[0] : undefined;
    const nested = expandable(element ?? propType);
    const type = nested && element ? 'object[]' : typeText(checker, propType, nested !== undefined);
    out.push({ path, type, optional, doc: docOf(checker, prop) });
    if (nested && !checker.isArrayType(nested)) walk(checker, nested, `${path}${element ? '[]' : ''}.`, out, new Set(seen));
  }
}
