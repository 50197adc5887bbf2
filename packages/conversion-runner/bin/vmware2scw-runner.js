#!/usr/bin/env node
/* eslint-disable */
// Starts the conversion runner: the built dist/ when present, else the TypeScript sources through
// Backstage's node transform (development).
const { existsSync } = require('fs');
const { join } = require('path');

const built = join(__dirname, '..', 'dist', 'index.cjs.js');
let runner;
if (existsSync(built)) {
  runner = require(built);
} else {
  require('@backstage/cli/config/nodeTransform.cjs');
  runner = require('../src/index.ts');
}
runner.runConversionRunnerCli(process.argv.slice(2), process.env);
