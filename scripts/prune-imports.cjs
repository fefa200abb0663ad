// Keeps, of each module `cdk8s import` generated (scripts/import.sh), only the declarations src/
// uses and what they need: the classes and types src/ names (`k8s.KubeDeployment`, or
// `{ Elasticsearch }` imported by name), then every declaration those refer to, transitively.
// Deterministic: the same generated input and the same src/ give the same bytes. `cdk8s import`
// of k8s alone writes 187 classes; src/ uses a few, and tsc pays for every one.
//
// node scripts/prune-imports.cjs GENERATED_DIR OUT_DIR
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const [generated, out] = process.argv.slice(2);
if (!generated || !out) throw new Error('usage: node scripts/prune-imports.cjs GENERATED_DIR OUT_DIR');

/** Every .ts file under a folder. */
function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The names src/ uses from each module of imports/, by module file name (k8s.ts, ...). */
function usedNames() {
  const used = new Map();
  const use = (module, name) => (used.get(module) ?? used.set(module, new Set()).get(module)).add(name);
  for (const file of sources(path.join(ROOT, 'src'))) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const namespaces = new Map();
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const target = path.resolve(path.dirname(file), st.moduleSpecifier.text);
      if (path.dirname(target) !== path.join(ROOT, 'imports')) continue;
      const module = `${path.basename(target)}.ts`;
      const bindings = st.importClause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, module);
      else if (bindings) for (const el of bindings.elements) use(module, (el.propertyName ?? el.name).text);
    }
    // `k8s.KubeDeployment`, as a value or as a type (`k8s.EnvVar[]`).
    const visit = (node) => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && namespaces.has(node.expression.text)) use(namespaces.get(node.expression.text), node.name.text);
      if (ts.isQualifiedName(node) && ts.isIdentifier(node.left) && namespaces.has(node.left.text)) use(namespaces.get(node.left.text), node.right.text);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return used;
}

/** The names a top-level statement declares. */
function declared(st) {
  if (ts.isVariableStatement(st)) return st.declarationList.declarations.map((d) => d.name.getText());
  return st.name ? [st.name.text] : [];
}

/** The identifiers a statement refers to, property names and its own name aside. */
function references(st) {
  const refs = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) {
      const p = node.parent;
      const isName = (ts.isPropertyAccessExpression(p) && p.name === node) || ((ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isEnumMember(p)) && p.name === node) || (ts.isQualifiedName(p) && p.right === node);
      if (!isName) refs.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(st);
  return refs;
}

function prune(file, roots) {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const byName = new Map();
  for (const st of sf.statements) for (const name of declared(st)) byName.set(name, st);
  const kept = new Set();
  const pending = [...roots];
  for (const root of roots) if (!byName.has(root)) throw new Error(`${path.basename(file)} has no ${root}, which src/ uses: run cdk8s import with the definitions that have it`);
  while (pending.length) {
    const st = byName.get(pending.pop());
    if (!st || kept.has(st)) continue;
    kept.add(st);
    for (const ref of references(st)) if (byName.has(ref)) pending.push(ref);
  }
  // Imports and other undeclared statements stay; declarations only when kept. Each statement
  // is copied with its leading comments (its JSDoc), byte for byte.
  const parts = [];
  let removed = 0;
  for (const st of sf.statements) {
    if (!declared(st).length || kept.has(st)) parts.push(text.slice(st.getFullStart(), st.getEnd()));
    else removed++;
  }
  const header = `// pruned by scripts/prune-imports.cjs: only what src/ uses (${kept.size} declarations kept, ${removed} left out)\n`;
  return header + parts.join('') + text.slice(sf.statements.at(-1)?.getEnd() ?? 0);
}

const used = usedNames();
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(generated).sort()) {
  const file = path.join(generated, name);
  if (!name.endsWith('.ts')) continue;
  const roots = used.get(name);
  // A module src/ does not import at all is not kept: cdk8s.yaml should not list it.
  if (!roots) throw new Error(`${name}: cdk8s.yaml imports it but src/ does not use it; remove it from cdk8s.yaml`);
  fs.writeFileSync(path.join(out, name), prune(file, [...roots].sort()));
}
