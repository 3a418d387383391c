#!/usr/bin/env node
import { processIo } from './io.js';
import { runCli } from './main.js';

void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
