// Shared Jest settings for every project. ts-jest transpiles each file on its own (fast);
// type checking is a separate step (`npm run typecheck`), so tests never wait on tsc.
const path = require('path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
}

module.exports = (name, dir, { slow = false, ...extra } = {}) => ({
  displayName: name,
  rootDir: path.join(__dirname, dir),
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.base.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  // Jest ignores a per-project testTimeout; slow projects set it in a setup file instead.
  setupFilesAfterEnv: slow ? [path.join(__dirname, 'tools/jest/slow-suite.js')] : [],
  ...extra,
});
