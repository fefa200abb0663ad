// Writes the ECK CRDs we use (Elasticsearch, Kibana) out of the operator's all-crds bundle into
// .cache/crds/eck/, one file each, so that `cdk8s import` (scripts/import.sh) generates only
// those kinds instead of all twelve.
const fs = require('node:fs');
const path = require('node:path');
const { parseAllDocuments, stringify } = require('yaml');

const USED = ['Elasticsearch', 'Kibana'];
const upstream = process.env.AURA_UPSTREAM || path.resolve(__dirname, '../../shared/upstream');
const bundle = path.join(upstream, 'crds/eck/v3.5.0/all-crds.yaml');
const out = path.resolve(__dirname, '../.cache/crds/eck');
fs.mkdirSync(out, { recursive: true });
const crds = parseAllDocuments(fs.readFileSync(bundle, 'utf8')).map((d) => d.toJSON()).filter(Boolean);
for (const kind of USED) {
  const crd = crds.find((c) => c.spec.names.kind === kind);
  if (!crd) throw new Error(`${bundle} has no CRD of kind ${kind}`);
  fs.writeFileSync(path.join(out, `${crd.spec.group}.yaml`), stringify(crd));
}
