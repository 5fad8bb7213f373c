// One Jest run over every project (each lib/app is a Jest "project" named as in Nx).
const preset = require('./jest.preset');
const projects = [
  ['contracts', 'libs/contracts'],
  ['kv', 'libs/kv'],
  ['kv-embedded', 'libs/kv-embedded'],
  ['kv-tikv', 'libs/kv-tikv', { slow: true }],
  ['rpc', 'libs/rpc', { slow: true }],
  ['metadata-core', 'libs/metadata-core'],
  ['blob-core', 'libs/blob-core'],
  ['blob-seaweedfs', 'libs/blob-seaweedfs', { slow: true }],
  ['s3-protocol', 'libs/s3-protocol'],
  ['s3-api', 'libs/s3-api'],
  ['observability', 'libs/observability'],
  ['gateway', 'apps/gateway', { slow: true }],
  ['metadata', 'apps/metadata', { slow: true }],
  ['blob', 'apps/blob'],
  ['gateway-e2e', 'apps/gateway-e2e', { slow: true }],
  ['deploy', 'deploy'],
  ['workspace', 'tools/workspace'],
];
module.exports = {
  projects: projects.map(([name, dir, extra]) => preset(name, dir, extra)),
};
