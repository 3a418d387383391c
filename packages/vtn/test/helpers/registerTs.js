'use strict';
// Lets a child process run the TypeScript sources directly (as jest does): .ts files are transpiled
// on load, @oadr-kit/* resolves to packages/*/src, and relative ".js" imports find their ".ts" file.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const root = path.resolve(__dirname, '..', '..', '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const scoped = /^@oadr-kit\/([a-z-]+)(?:\/([A-Za-z]+))?$/.exec(request);
  if (scoped) return path.join(root, 'packages', scoped[1], 'src', `${scoped[2] ?? 'index'}.ts`);
  if (request.startsWith('.') && request.endsWith('.js') && parent && parent.filename && parent.filename.endsWith('.ts')) {
    const candidate = path.resolve(path.dirname(parent.filename), request.replace(/\.js$/, '.ts'));
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
