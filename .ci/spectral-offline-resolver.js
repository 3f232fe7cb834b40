// A `spectral lint --resolver` module for running Spectral as a test oracle offline.
//
// Spectral's default resolver fetches every http(s) $ref with node-fetch and no timeout, so
// behind a firewall that drops packets one remote $ref stalls the run for minutes. This
// resolver reads file $refs exactly as the default one does (@stoplight/json-ref-readers'
// resolveFile) and refuses http(s) $refs at once; Spectral then reports each refused URI as
// an `invalid-ref` error, as it does when the network fails.
//
// Used by tests/spectral_oracle.py and benchmarks/adr_lint_vs_spectral.py. Nothing else.
'use strict';
const { createRequire } = require('module');

// Load Spectral's own copies of the resolver packages, wherever that Spectral is installed.
const fromCli = createRequire(require.main.filename);
const refResolverPath = fromCli.resolve('@stoplight/spectral-ref-resolver');
const { Resolver } = fromCli(refResolverPath);
const { resolveFile } = createRequire(refResolverPath)('@stoplight/json-ref-readers');

function refuseRemote(ref) {
  return Promise.reject(new Error(`offline: remote $ref not fetched: ${String(ref)}`));
}

module.exports = new Resolver({
  resolvers: {
    https: { resolve: refuseRemote },
    http: { resolve: refuseRemote },
    file: { resolve: resolveFile },
  },
});
