#!/usr/bin/env node
import { runVtnCli } from './cli.js';

void runVtnCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
