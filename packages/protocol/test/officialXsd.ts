/**
 * Validation against the official 2.0b XSD files, which live outside the repository (they may not be
 * copied into it). Tests find them through OADR_XSD_DIR, defaulting to ../shared/oadr20b/xsd beside
 * the checkout; CI sets the variable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';

export const XSD_DIR = process.env['OADR_XSD_DIR'] ?? path.resolve(__dirname, '../../../../shared/oadr20b/xsd');
const MAIN_XSD = 'oadr_20b.xsd';

/** Why the XSD tests cannot run here, or undefined when they can. */
export function xsdUnavailableReason(): string | undefined {
  if (fs.existsSync(path.join(XSD_DIR, MAIN_XSD))) return undefined;
  return `official 2.0b XSD not found at ${XSD_DIR} (set OADR_XSD_DIR to the folder holding ${MAIN_XSD})`;
}

let schemaFiles: { main: XMLFileInfo; preload: XMLFileInfo[] } | undefined;

function loadSchemas(): { main: XMLFileInfo; preload: XMLFileInfo[] } {
  if (schemaFiles === undefined) {
    const files = fs.readdirSync(XSD_DIR).filter((f) => f.endsWith('.xsd'));
    const read = (fileName: string): XMLFileInfo => ({ fileName, contents: fs.readFileSync(path.join(XSD_DIR, fileName)) });
    schemaFiles = { main: read(MAIN_XSD), preload: files.filter((f) => f !== MAIN_XSD).map(read) };
  }
  return schemaFiles;
}

/** Validates documents against the official schema; returns xmllint's errors per file name. */
export async function validateAgainstXsd(documents: Record<string, string>): Promise<Record<string, string[]>> {
  const { main, preload } = loadSchemas();
  const xml = Object.entries(documents).map(([fileName, contents]) => ({ fileName, contents }));
  const result = await validateXML({ xml, schema: main, preload, maxMemoryPages: 16384 });
  const errors: Record<string, string[]> = Object.fromEntries(Object.keys(documents).map((name) => [name, []]));
  for (const error of result.errors) {
    // xmllint closes with one "X fails to validate" line per file; the real errors carry a location.
    const summary = /^(\S+) fails to validate$/.exec(error.rawMessage);
    const name = summary?.[1] ?? error.loc?.fileName ?? '(unknown file)';
    if (summary === null || errors[name]?.length === 0) (errors[name] ??= []).push(error.rawMessage);
  }
  return errors;
}
