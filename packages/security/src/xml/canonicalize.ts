import { lookupNamespace, namespacesInScope, XML_NS, type XmlAttribute, type XmlElement } from './parseXml.js';

export const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface CanonicalizeOptions {
  /** Inclusive C14N 1.0 (what the 2.0b stacks use) or exclusive C14N; neither keeps comments. */
  readonly algorithm: typeof C14N | typeof EXC_C14N;
  /** A subtree left out of the output: the signature itself, for the enveloped-signature transform. */
  readonly exclude?: XmlElement;
  /** Exclusive C14N's InclusiveNamespaces PrefixList ('#default' for the default namespace). */
  readonly inclusivePrefixes?: readonly string[];
}

/**
 * The canonical form of the subtree rooted at `element` (a document subset in C14N terms: the
 * element, its attributes and namespaces, and everything below it).
 */
export function canonicalize(element: XmlElement, options: CanonicalizeOptions): string {
  const exclusive = options.algorithm === EXC_C14N;
  const inclusivePrefixes = new Set((options.inclusivePrefixes ?? []).map((prefix) => (prefix === '#default' ? '' : prefix)));
  const out: string[] = [];

  const render = (el: XmlElement, rendered: ReadonlyMap<string, string>, isApex: boolean): void => {
    let namespaces: Array<readonly [string, string]>;
    if (exclusive) {
      namespaces = [];
      const utilised = new Set<string>([el.prefix]);
      for (const attribute of el.attributes) if (attribute.prefix !== '' && attribute.prefix !== 'xml') utilised.add(attribute.prefix);
      for (const prefix of inclusivePrefixes) utilised.add(prefix);
      for (const prefix of utilised) {
        const uri = lookupNamespace(el, prefix);
        if (uri === undefined || (uri === '' && prefix !== '')) continue;
        if ((rendered.get(prefix) ?? '') !== uri) namespaces.push([prefix, uri]);
      }
    } else if (isApex) {
      namespaces = [...namespacesInScope(el)].filter(([prefix, uri]) => !(prefix === '' && uri === ''));
    } else {
      namespaces = el.nsDecls.filter(([prefix, uri]) => (rendered.get(prefix) ?? '') !== uri);
    }

    let attributes: readonly XmlAttribute[] = el.attributes;
    if (isApex && !exclusive) attributes = [...attributes, ...inheritedXmlAttributes(el)];

    const tag = el.prefix === '' ? el.local : `${el.prefix}:${el.local}`;
    out.push('<', tag);
    let scope = rendered;
    if (namespaces.length > 0) {
      namespaces.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const next = new Map(rendered);
      for (const [prefix, uri] of namespaces) {
        out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttribute(uri), '"');
        next.set(prefix, uri);
      }
      scope = next;
    }
    if (attributes.length > 0) {
      const sorted = attributes.length === 1 ? attributes : [...attributes].sort(compareAttributes);
      for (const attribute of sorted) {
        out.push(' ', attribute.prefix === '' ? attribute.local : `${attribute.prefix}:${attribute.local}`, '="', escapeAttribute(attribute.value), '"');
      }
    }
    out.push('>');
    for (const child of el.children) {
      if (child.kind === 'text') out.push(escapeText(child.value));
      else if (child.kind === 'element') {
        if (child.verbatim && !exclusive && !contains(child, options.exclude)) out.push(child.source.slice(child.start, child.end));
        else if (child !== options.exclude) render(child, scope, false);
      } else out.push('<?', child.target, child.data === '' ? '' : ` ${child.data}`, '?>');
    }
    out.push('</', tag, '>');
  };

  render(element, new Map(), true);
  return out.join('');
}

function contains(element: XmlElement, other: XmlElement | undefined): boolean {
  return other !== undefined && other.start >= element.start && other.start < element.end;
}

/** Inclusive C14N carries xml:lang, xml:space … of ancestors outside the subset onto its apex. */
function inheritedXmlAttributes(element: XmlElement): XmlAttribute[] {
  const own = new Set(element.attributes.filter((a) => a.ns === XML_NS).map((a) => a.local));
  const inherited: XmlAttribute[] = [];
  for (let scope = element.parent; scope !== undefined; scope = scope.parent) {
    for (const attribute of scope.attributes) {
      if (attribute.ns === XML_NS && !own.has(attribute.local)) {
        own.add(attribute.local);
        inherited.push(attribute);
      }
    }
  }
  return inherited;
}

function compareAttributes(a: XmlAttribute, b: XmlAttribute): number {
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  return a.local < b.local ? -1 : a.local > b.local ? 1 : 0;
}

function escapeText(text: string): string {
  if (!/[&<>\r]/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escapeAttribute(value: string): string {
  if (!/[&<"\t\n\r]/.test(value)) return value;
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}
