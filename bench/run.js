'use strict';
// Runs every bench/*.bench.js (or the ones named on the command line) in its own process, one after
// the other so they do not compete for the two cores, and writes their Markdown sections to
// BENCHMARKS.md. Each script prints one Markdown section on stdout and its progress on stderr.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const here = __dirname;
const wanted = process.argv.slice(2);
const scripts = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const outFile = path.join(here, '..', 'BENCHMARKS.md');
const previous = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
const sections = new Map(splitSections(previous));
const machine = `Machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node.js ${process.version}.`;

for (const script of scripts) {
  process.stderr.write(`== ${script}\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', path.join(here, script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    process.stderr.write(`${script} failed with exit code ${run.status}\n`);
    process.exitCode = 1;
    continue;
  }
  // Sections are rerun one at a time, so each names the machine it was measured on.
  sections.set(script, `${run.stdout.trim()}\n\n${machine}`);
}

const header = [
  '# Benchmarks',
  '',
  'Made by `npm run bench` (all scripts) or `npm run bench -- NAME` (one script, e.g. `protocol`);',
  'each section names the script that wrote it, when, and the machine it ran on. Figures are medians',
  'of several runs; compare figures across sections only when they name the same machine.',
].join('\n');
const body = [...sections.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, text]) => `<!-- section: ${name} -->\n${text}`)
  .join('\n\n');
fs.writeFileSync(outFile, `${header}\n\n${body}\n`);
process.stderr.write(`wrote ${path.relative(process.cwd(), outFile)}\n`);

function splitSections(text) {
  const parts = text.split(/^<!-- section: (.+?) -->\n/m);
  const found = [];
  for (let i = 1; i + 1 < parts.length; i += 2) found.push([parts[i], parts[i + 1].trim()]);
  return found;
}
