/**
 * A small, strict, namespace-aware XML reader for signature work. A general DOM parser spent about
 * 7 ms on a 96-interval oadrDistributeEvent, and building one object per element still cost more
 * than everything else in verification together. So reading is two-staged: one pass checks
 * well-formedness and namespaces and records every node's offsets in flat integer columns; element
 * objects are made only when someone walks to them. Canonicalisation copies "verbatim" subtrees
 * (see XmlElement.verbatim) straight from the source, so most of a payload is never materialised.
 * DTDs are refused outright: no entity definitions, default attributes or external references.
 */

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export interface XmlAttribute {
  readonly prefix: string;
  readonly local: string;
  /** Namespace URI; '' for unprefixed attributes. */
  readonly ns: string;
  readonly value: string;
}

export interface XmlText {
  readonly kind: 'text';
  readonly value: string;
}

export interface XmlProcessingInstruction {
  readonly kind: 'pi';
  readonly target: string;
  readonly data: string;
}

export interface XmlElement {
  readonly kind: 'element';
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly parent: XmlElement | undefined;
  /** Namespace declarations made on this element, as [prefix, uri]; '' is the default namespace. */
  readonly nsDecls: ReadonlyArray<readonly [string, string]>;
  readonly attributes: readonly XmlAttribute[];
  readonly children: ReadonlyArray<XmlElement | XmlText | XmlProcessingInstruction>;
  /** Offsets in the (line-end normalised) source: where the start tag begins and ends, and the element ends. */
  readonly start: number;
  readonly startTagEnd: number;
  readonly end: number;
  /** The (line-end normalised) document text the offsets refer to. */
  readonly source: string;
  /**
   * True when `source.slice(start, end)` already is the inclusive-C14N form of this element inside
   * its parent: no attributes or namespace declarations anywhere below, `<a></a>` rather than `<a/>`,
   * text without references or characters C14N escapes, no comments, CDATA or PIs.
   */
  readonly verbatim: boolean;
}

export interface XmlDocument {
  /** The source after line-end normalisation; offsets refer to it. */
  readonly source: string;
  readonly root: XmlElement;
}

/** A document that is not well-formed (or uses a DTD); `offset` points at the trouble. */
export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'XmlSyntaxError';
  }
}

const MAX_DEPTH = 256;
const NAME = /^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?$/;
/** ASCII classes for the name scan: 0 name character, 1 ends a name (whitespace, '/', '>'), 2 not allowed in a name. */
const NAME_CHAR = 0;
const NAME_END = 1;
const CHAR_CLASS = Int8Array.from({ length: 128 }, (_, c) => {
  if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x2f || c === 0x3e) return NAME_END;
  const ch = String.fromCharCode(c);
  return /[\w.:-]/.test(ch) ? NAME_CHAR : 2;
});
const ATTRIBUTE = /[ \t\n]+([A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?)[ \t\n]*=[ \t\n]*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_CLOSE = /[ \t\n]*(\/?)>/y;
const WHITESPACE = /^[ \t\n]*$/;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const EMPTY_SCOPE: ReadonlyMap<string, string> = new Map();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const NONE: never[] = [];

const enum Kind {
  Element = 0,
  Comment = 1,
  Pi = 2,
  Cdata = 3,
}

/** What the first pass learnt about a start tag with attributes (the rest have none). */
interface TagDetails {
  readonly nsDecls: Array<readonly [string, string]>;
  readonly attributes: XmlAttribute[];
}

/** The flat record of every node, filled by the first pass; indices are node numbers. */
class Tape {
  kind: Int8Array;
  start: Int32Array;
  /** Elements: end of the start tag. */
  startTagEnd: Int32Array;
  /** Elements: where the end tag begins (= startTagEnd for `<a/>`). Others: end of the node. */
  contentEnd: Int32Array;
  end: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  verbatim: Uint8Array;
  details = new Map<number, TagDetails>();
  count = 0;

  constructor(capacity: number) {
    this.kind = new Int8Array(capacity);
    this.start = new Int32Array(capacity);
    this.startTagEnd = new Int32Array(capacity);
    this.contentEnd = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.firstChild = new Int32Array(capacity).fill(-1);
    this.nextSibling = new Int32Array(capacity).fill(-1);
    this.verbatim = new Uint8Array(capacity);
  }

  add(kind: Kind, start: number): number {
    if (this.count === this.kind.length) this.grow();
    const index = this.count++;
    this.kind[index] = kind;
    this.start[index] = start;
    return index;
  }

  private grow(): void {
    const capacity = this.kind.length * 2;
    const widen = <T extends Int8Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T, fill?: number): T => {
      const next = make(capacity);
      if (fill !== undefined) next.fill(fill as never);
      next.set(old as never);
      return next;
    };
    this.kind = widen(this.kind, (n) => new Int8Array(n));
    this.start = widen(this.start, (n) => new Int32Array(n));
    this.startTagEnd = widen(this.startTagEnd, (n) => new Int32Array(n));
    this.contentEnd = widen(this.contentEnd, (n) => new Int32Array(n));
    this.end = widen(this.end, (n) => new Int32Array(n));
    this.firstChild = widen(this.firstChild, (n) => new Int32Array(n), -1);
    this.nextSibling = widen(this.nextSibling, (n) => new Int32Array(n), -1);
    this.verbatim = widen(this.verbatim, (n) => new Uint8Array(n));
  }
}

/** Parses a complete document. Throws XmlSyntaxError for anything not well-formed. */
export function parseXml(input: string): XmlDocument {
  let source = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (source.includes('\r')) source = source.replace(/\r\n?/g, '\n');
  const tape = scan(source);
  return { source, root: new LazyElement(source, tape, 0, undefined) };
}

/**
 * The UTF-16 code units of `source` as a typed array: element reads from it cost a fraction of
 * `charCodeAt`, which is most of what reading does.
 */
function codeUnits(source: string): Uint16Array {
  const bytes = Buffer.from(source, 'utf16le');
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, source.length);
  const codes = new Uint16Array(source.length);
  for (let i = 0; i < source.length; i++) codes[i] = source.charCodeAt(i);
  return codes;
}

function scan(source: string): Tape {
  const length = source.length;
  const code = codeUnits(source);
  const tape = new Tape(Math.max(64, length >> 4));
  // Open elements by depth: node index, end of name, last child so far, and the namespace scope
  // and checked prefixes to restore when the element closes.
  let depth = 0;
  const openNode = new Int32Array(MAX_DEPTH + 1);
  const openNameEnd = new Int32Array(MAX_DEPTH + 1);
  const openLastChild = new Int32Array(MAX_DEPTH + 1);
  const savedScope: Array<ReadonlyMap<string, string>> = [];
  const savedChecked: string[][] = [];
  let scope = EMPTY_SCOPE;
  // Prefixes already found bound in `scope`, compared in place so the hot path slices nothing.
  let checked: string[] = [];
  let rootSeen = false;
  let pos = 0;

  const append = (node: number): void => {
    if (depth === 0) return;
    const parent = openNode[depth - 1]!;
    const previous = openLastChild[depth - 1]!;
    if (previous === -1) tape.firstChild[parent] = node;
    else tape.nextSibling[previous] = node;
    openLastChild[depth - 1] = node;
  };
  const dirtyTop = (): void => {
    if (depth > 0) tape.verbatim[openNode[depth - 1]!] = 0;
  };

  while (pos < length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt === -1 ? length : lt;
    if (textEnd > pos) {
      if (depth === 0) {
        if (!WHITESPACE.test(source.slice(pos, textEnd))) throw new XmlSyntaxError('text outside the document element', pos);
      } else {
        let references = false;
        for (let i = pos; i < textEnd; i++) {
          const c = code[i]!;
          if (c > 0x3e) continue;
          if (c === 0x26 /* & */) references = true;
          else if (c === 0x3e /* > */) {
            if (code[i - 1]! === 0x5d && code[i - 2]! === 0x5d) throw new XmlSyntaxError("']]>' in text", i);
            dirtyTop();
          } else if (c < 0x20 && c !== 0x09 && c !== 0x0a) throw new XmlSyntaxError(`control character U+${c.toString(16).padStart(4, '0')}`, i);
        }
        if (references) {
          decodeReferences(source.slice(pos, textEnd), pos);
          dirtyTop();
        }
      }
      pos = textEnd;
      if (lt === -1) break;
    }
    const next = code[pos + 1]!;
    if (next === 0x2f /* / */) {
      if (depth === 0) throw new XmlSyntaxError('end tag without a start tag', pos);
      depth--;
      const node = openNode[depth]!;
      const nameStart = tape.start[node]! + 1;
      const nameLength = openNameEnd[depth]! - nameStart;
      let close = pos + 2 + nameLength;
      let same = code[close]! === 0x3e;
      for (let i = 0; same && i < nameLength; i++) same = code[pos + 2 + i]! === code[nameStart + i]!;
      if (!same) {
        close = source.indexOf('>', pos);
        if (close === -1) throw new XmlSyntaxError('unterminated end tag', pos);
        const name = source.slice(pos + 2, close);
        const open = source.slice(nameStart, nameStart + nameLength);
        if (name.trimEnd() !== open) throw new XmlSyntaxError(`</${name}> does not close <${open}>`, pos);
        tape.verbatim[node] = 0;
      }
      tape.contentEnd[node] = pos;
      tape.end[node] = close + 1;
      scope = savedScope[depth]!;
      checked = savedChecked[depth]!;
      if (tape.verbatim[node] === 0) dirtyTop();
      pos = close + 1;
    } else if (next === 0x21 /* ! */) {
      let kind: Kind;
      let end: number;
      if (source.startsWith('<!--', pos)) {
        end = source.indexOf('-->', pos + 4);
        if (end === -1) throw new XmlSyntaxError('unterminated comment', pos);
        end += 3;
        kind = Kind.Comment;
      } else if (source.startsWith('<![CDATA[', pos)) {
        if (depth === 0) throw new XmlSyntaxError('CDATA outside the document element', pos);
        end = source.indexOf(']]>', pos + 9);
        if (end === -1) throw new XmlSyntaxError('unterminated CDATA section', pos);
        end += 3;
        kind = Kind.Cdata;
      } else {
        throw new XmlSyntaxError('DTDs and other declarations are not accepted', pos);
      }
      checkChars(source.slice(pos, end), pos);
      if (depth > 0) {
        const node = tape.add(kind, pos);
        tape.end[node] = end;
        tape.contentEnd[node] = end;
        append(node);
        dirtyTop();
      }
      pos = end;
    } else if (next === 0x3f /* ? */) {
      const end = source.indexOf('?>', pos + 2);
      if (end === -1) throw new XmlSyntaxError('unterminated processing instruction', pos);
      checkChars(source.slice(pos, end), pos);
      const target = /^[^ \t\n?]*/.exec(source.slice(pos + 2, end))?.[0] ?? '';
      if (target.toLowerCase() === 'xml') {
        if (pos !== 0) throw new XmlSyntaxError('XML declaration not at the start', pos);
      } else if (depth > 0) {
        const node = tape.add(Kind.Pi, pos);
        tape.end[node] = end + 2;
        tape.contentEnd[node] = end + 2;
        append(node);
        dirtyTop();
      }
      pos = end + 2;
    } else {
      if (depth === 0 && rootSeen) throw new XmlSyntaxError('a second document element', pos);
      rootSeen = true;
      if (depth >= MAX_DEPTH) throw new XmlSyntaxError(`elements nested deeper than ${MAX_DEPTH}`, pos);
      let nameEnd = pos + 1;
      let colon = -1;
      let nameOk = true;
      for (; nameEnd < length; nameEnd++) {
        const c = code[nameEnd]!;
        const kind = c < 128 ? CHAR_CLASS[c]! : NAME_CHAR;
        if (kind === NAME_END) break;
        if (kind !== NAME_CHAR) nameOk = false;
        else if (c === 0x3a /* : */) {
          if (colon !== -1) nameOk = false;
          colon = nameEnd;
        }
      }
      const node = tape.add(Kind.Element, pos);
      append(node);
      const after = code[nameEnd]!;
      let tagEnd: number;
      let verbatim = true;
      let elementScope = scope;
      if (after === 0x3e /* > */ || (after === 0x2f /* / */ && code[nameEnd + 1]! === 0x3e)) {
        // Most elements of a payload have no attributes: only the name and its prefix need checks.
        tagEnd = nameEnd + (after === 0x3e ? 1 : 2);
        // Names are checked in the scan loop; the full pattern runs only on the unusual ones.
        if (!nameOk || nameEnd === pos + 1 || !nameStartOk(code[pos + 1]!) || (colon !== -1 && !nameStartOk(code[colon + 1]!))) {
          checkName(source.slice(pos + 1, nameEnd), pos + 1);
        }
        if (colon !== -1) {
          const prefixLength = colon - pos - 1;
          let known = false;
          for (let i = 0; !known && i < checked.length; i++) {
            const candidate = checked[i]!;
            known = candidate.length === prefixLength && source.startsWith(candidate, pos + 1);
          }
          if (!known) {
            const prefix = source.slice(pos + 1, colon);
            if (prefix !== 'xml' && !scope.has(prefix)) throw new XmlSyntaxError(`prefix ${prefix} is not declared`, pos);
            checked.push(prefix);
          }
        }
      } else {
        checkName(source.slice(pos + 1, nameEnd), pos + 1);
        const tag = readAttributes(source, nameEnd, scope);
        tagEnd = tag.end;
        tape.details.set(node, tag.details);
        verbatim = false;
        elementScope = tag.scope;
        const prefix = colon === -1 ? '' : source.slice(pos + 1, colon);
        if (prefix !== '' && prefix !== 'xml' && !elementScope.has(prefix)) throw new XmlSyntaxError(`prefix ${prefix} is not declared`, pos);
      }
      tape.startTagEnd[node] = tagEnd;
      if (code[tagEnd - 2]! === 0x2f /* / */) {
        tape.contentEnd[node] = tagEnd;
        tape.end[node] = tagEnd;
        dirtyTop();
      } else {
        tape.verbatim[node] = verbatim ? 1 : 0;
        openNode[depth] = node;
        openNameEnd[depth] = nameEnd;
        openLastChild[depth] = -1;
        savedScope[depth] = scope;
        savedChecked[depth] = checked;
        depth++;
        if (elementScope !== scope) checked = [];
        scope = elementScope;
      }
      pos = tagEnd;
    }
  }
  if (depth > 0) {
    const open = openNode[depth - 1]!;
    throw new XmlSyntaxError(`<${source.slice(tape.start[open]! + 1, openNameEnd[depth - 1])}> is not closed`, length);
  }
  if (!rootSeen) throw new XmlSyntaxError('no document element', length);
  return tape;
}

/** XML 1.0 allows no control characters other than tab and line feed (carriage returns are gone by now). */
function checkChars(text: string, offset: number): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0xfffe || c === 0xffff) {
      throw new XmlSyntaxError(`control character U+${c.toString(16).padStart(4, '0')}`, offset + i);
    }
  }
}

function nameStartOk(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0xc0;
}

function checkName(name: string, offset: number): void {
  if (!NAME.test(name)) throw new XmlSyntaxError(`bad element name ${JSON.stringify(name)}`, offset);
}

function readAttributes(source: string, from: number, parentScope: ReadonlyMap<string, string>): { end: number; details: TagDetails; scope: ReadonlyMap<string, string> } {
  let pos = from;
  const nsDecls: Array<readonly [string, string]> = [];
  const raw: Array<{ name: string; value: string; offset: number }> = [];
  for (;;) {
    ATTRIBUTE.lastIndex = pos;
    const match = ATTRIBUTE.exec(source);
    if (match === null) break;
    const name = match[1] ?? '';
    const rawValue = match[2] ?? match[3] ?? '';
    checkChars(rawValue, pos);
    // Attribute-value normalisation without a DTD: literal whitespace becomes a space, references
    // are expanded after that (so &#10; stays a line feed).
    const spaced = rawValue.replace(/[\t\n]/g, ' ');
    const value = spaced.includes('&') ? decodeReferences(spaced, pos) : spaced;
    if (raw.some((other) => other.name === name) || nsDecls.some(([p]) => (p === '' ? 'xmlns' : `xmlns:${p}`) === name)) {
      throw new XmlSyntaxError(`attribute ${name} repeated`, pos);
    }
    if (name === 'xmlns') nsDecls.push(['', value]);
    else if (name.startsWith('xmlns:')) {
      if (value === '') throw new XmlSyntaxError(`${name} undeclares a prefix`, pos);
      nsDecls.push([name.slice(6), value]);
    } else raw.push({ name, value, offset: pos });
    pos = ATTRIBUTE.lastIndex;
  }
  TAG_CLOSE.lastIndex = pos;
  if (TAG_CLOSE.exec(source) === null) throw new XmlSyntaxError('malformed start tag', pos);
  let scope = parentScope;
  if (nsDecls.length > 0) {
    const extended = new Map(parentScope);
    for (const [prefix, uri] of nsDecls) extended.set(prefix, uri);
    scope = extended;
  }
  const attributes: XmlAttribute[] = [];
  const seen = new Set<string>();
  for (const attribute of raw) {
    const colon = attribute.name.indexOf(':');
    const prefix = colon === -1 ? '' : attribute.name.slice(0, colon);
    const local = colon === -1 ? attribute.name : attribute.name.slice(colon + 1);
    const ns = prefix === '' ? '' : prefix === 'xml' ? XML_NS : scope.get(prefix);
    if (ns === undefined) throw new XmlSyntaxError(`prefix ${prefix} is not declared`, attribute.offset);
    const key = `${ns}\u0000${local}`;
    if (seen.has(key)) throw new XmlSyntaxError(`attribute {${ns}}${local} repeated`, attribute.offset);
    seen.add(key);
    attributes.push({ prefix, local, ns, value: attribute.value });
  }
  return { end: TAG_CLOSE.lastIndex, details: { nsDecls, attributes }, scope };
}

/** An element made from the tape on first visit; its children are made when first asked for. */
class LazyElement implements XmlElement {
  readonly kind = 'element';
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly nsDecls: ReadonlyArray<readonly [string, string]>;
  readonly attributes: readonly XmlAttribute[];
  readonly start: number;
  readonly startTagEnd: number;
  readonly end: number;
  readonly verbatim: boolean;
  readonly scope: ReadonlyMap<string, string>;
  #children: Array<XmlElement | XmlText | XmlProcessingInstruction> | undefined;

  constructor(
    readonly source: string,
    private readonly tape: Tape,
    private readonly index: number,
    readonly parent: LazyElement | undefined,
  ) {
    this.start = tape.start[index]!;
    this.startTagEnd = tape.startTagEnd[index]!;
    this.end = tape.end[index]!;
    this.verbatim = tape.verbatim[index] === 1;
    let nameEnd = this.start + 1;
    for (let c = source.charCodeAt(nameEnd); nameEnd < source.length && (c >= 128 || CHAR_CLASS[c] !== NAME_END); c = source.charCodeAt(++nameEnd));
    const qname = source.slice(this.start + 1, nameEnd);
    const colon = qname.indexOf(':');
    this.prefix = colon === -1 ? '' : qname.slice(0, colon);
    this.local = colon === -1 ? qname : qname.slice(colon + 1);
    const details = tape.details.get(index);
    this.nsDecls = details?.nsDecls ?? NONE;
    this.attributes = details?.attributes ?? NONE;
    let scope = parent?.scope ?? EMPTY_SCOPE;
    if (this.nsDecls.length > 0) {
      const extended = new Map(scope);
      for (const [prefix, uri] of this.nsDecls) extended.set(prefix, uri);
      scope = extended;
    }
    this.scope = scope;
    this.ns = this.prefix === 'xml' ? XML_NS : (scope.get(this.prefix) ?? '');
  }

  get children(): ReadonlyArray<XmlElement | XmlText | XmlProcessingInstruction> {
    if (this.#children === undefined) this.#children = this.#makeChildren();
    return this.#children;
  }

  #makeChildren(): Array<XmlElement | XmlText | XmlProcessingInstruction> {
    const { tape, source } = this;
    const children: Array<XmlElement | XmlText | XmlProcessingInstruction> = [];
    let text = this.startTagEnd;
    const flush = (until: number): void => {
      if (until > text) {
        const raw = source.slice(text, until);
        children.push({ kind: 'text', value: raw.includes('&') ? decodeReferences(raw, text) : raw });
      }
    };
    for (let node = tape.firstChild[this.index]!; node !== -1; node = tape.nextSibling[node]!) {
      const start = tape.start[node]!;
      flush(start);
      const kind = tape.kind[node];
      if (kind === Kind.Element) children.push(new LazyElement(source, tape, node, this));
      else if (kind === Kind.Cdata) children.push({ kind: 'text', value: source.slice(start + 9, tape.end[node]! - 3) });
      else if (kind === Kind.Pi) {
        const body = source.slice(start + 2, tape.end[node]! - 2);
        const space = body.search(/[ \t\n]/);
        children.push({ kind: 'pi', target: space === -1 ? body : body.slice(0, space), data: space === -1 ? '' : body.slice(space).replace(/^[ \t\n]+/, '') });
      }
      text = tape.end[node]!;
    }
    flush(tape.contentEnd[this.index]!);
    return children;
  }
}

/** Every namespace binding in scope at `element` (xml and xmlns excepted). */
export function namespacesInScope(element: XmlElement): ReadonlyMap<string, string> {
  return (element as LazyElement).scope;
}

/** The namespace URI bound to `prefix` on `element`; '' for an unbound default namespace. */
export function lookupNamespace(element: XmlElement, prefix: string): string | undefined {
  if (prefix === 'xml') return XML_NS;
  if (prefix === 'xmlns') return XMLNS_NS;
  const uri = (element as LazyElement).scope.get(prefix);
  return uri === undefined && prefix === '' ? '' : uri;
}

function decodeReferences(text: string, offset: number): string {
  return text.replace(/&([^;&]*);|&/g, (whole, name: string | undefined) => {
    if (name === undefined) throw new XmlSyntaxError("a bare '&'", offset);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9A-Fa-f]+$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]+$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
    if (!isXmlChar(code)) throw new XmlSyntaxError(`unknown or invalid reference ${whole}`, offset);
    return String.fromCodePoint(code);
  });
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Child elements of `element`, optionally only those with the given namespace and local name. */
export function childElements(element: XmlElement, ns?: string, local?: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (const child of element.children) {
    if (child.kind === 'element' && (ns === undefined || (child.ns === ns && child.local === local))) found.push(child);
  }
  return found;
}

/** The text content of an element (its text children, concatenated). */
export function textOf(element: XmlElement): string {
  let text = '';
  for (const child of element.children) if (child.kind === 'text') text += child.value;
  return text;
}

/** The value of the attribute with this namespace and local name. */
export function attributeValue(element: XmlElement, ns: string, local: string): string | undefined {
  return element.attributes.find((attribute) => attribute.ns === ns && attribute.local === local)?.value;
}
