// Preloaded into `cdk8s import` (see scripts/import.sh). The CLI downloads the Kubernetes
// definitions from GitHub; these machines are offline, so we answer that one URL with the
// copy in ../shared/upstream and refuse any other download.
const fs = require('node:fs');
const path = require('node:path');
const https = require('node:https');
const { PassThrough } = require('node:stream');

const upstream = process.env.AURA_UPSTREAM || path.resolve(__dirname, '../../shared/upstream');
const pattern = /kubernetes-schemas\/v(\d+\.\d+\.\d+)\/_definitions\.json$/;

https.get = (url, ...rest) => {
  const callback = rest.find((a) => typeof a === 'function');
  const match = pattern.exec(String(url));
  if (!match) throw new Error(`offline: refusing to download ${url}`);
  const file = path.join(upstream, 'k8s', `v${match[1]}`, '_definitions.json');
  const res = new PassThrough();
  res.statusCode = 200;
  process.nextTick(() => { callback(res); res.end(fs.readFileSync(file)); });
  return { on() { return this; }, once() { return this; }, end() {} };
};
