import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto';
import { C14N, canonicalize, EXC_C14N } from '../src/xml/canonicalize.js';
import { parseXml, XmlSyntaxError, type XmlElement } from '../src/xml/parseXml.js';
import { distributeEvent96 } from './helpers/distributeEvent.js';

/** xml-crypto over an xmldom tree is the reference implementation these tests compare with. */
function reference(xml: string, path: number[], algorithm: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  let node: Node = doc.documentElement as unknown as Node;
  for (const index of path) {
    const elements = Array.from(node.childNodes).filter((child) => child.nodeType === 1);
    node = elements[index] as Node;
  }
  const c14n = algorithm === C14N ? new C14nCanonicalization() : new ExclusiveCanonicalization();
  const ancestors: Array<{ prefix: string; namespaceURI: string }> = [];
  // xml-crypto expects the caller to pass the namespaces in scope from outside the subset.
  for (let parent = node.parentNode; parent !== null && parent.nodeType === 1; parent = parent.parentNode) {
    for (const attribute of Array.from((parent as Element).attributes)) {
      // Only prefixed ones: xml-crypto works out the default namespace itself (see the test below).
      if (attribute.prefix === 'xmlns' && !ancestors.some((a) => a.prefix === attribute.localName)) {
        ancestors.push({ prefix: attribute.localName ?? '', namespaceURI: attribute.value });
      }
    }
  }
  return c14n.process(node as Element, { ancestorNamespaces: ancestors }).toString();
}

function ours(xml: string, path: number[], algorithm: typeof C14N | typeof EXC_C14N): string {
  let element: XmlElement = parseXml(xml).root;
  for (const index of path) {
    const next = element.children.filter((child) => child.kind === 'element')[index];
    if (next === undefined || next.kind !== 'element') throw new Error('bad path');
    element = next;
  }
  return canonicalize(element, { algorithm });
}

const CASES: Array<[string, string, number[]]> = [
  ['96-interval oadrDistributeEvent, signed object', distributeEvent96({ withId: true }), [0]],
  [
    'default namespaces, redeclarations and undeclarations',
    '<a xmlns="urn:a" xmlns:p="urn:p"><b xmlns="urn:b"><c xmlns=""><p:d xmlns:p="urn:p" p:x="1" y="2"/></c></b><e xmlns:q="urn:q" q:z="3" a="0"/></a>',
    [0],
  ],
  ['attribute order by namespace then name', '<r xmlns:b="urn:1" xmlns:a="urn:2"><e z="1" b:y="2" a:x="3" a="4"/></r>', [0]],
  [
    'escapes, references, CDATA, comments, PIs',
    '<r><e a="&lt;&amp;&quot;&#9;&#10;&#13;\'&gt;">x &amp; y &lt; z &gt; &#13; <![CDATA[<raw & data>]]><!-- gone -->é&#x1F600;</e></r>',
    [0],
  ],
  ['whitespace normalised in attributes', '<r><e a="x\ty\nz"/>\r\n</r>', [0]],
];

describe('canonicalisation matches xml-crypto', () => {
  test.each(CASES)('%s', (_name, xml, path) => {
    for (const algorithm of [C14N, EXC_C14N] as const) {
      expect(ours(xml, path, algorithm)).toBe(reference(xml, path, algorithm));
    }
  });

  // xml-crypto renders a processing instruction's data as text and does not carry xml:* attributes
  // onto the apex; C14N 1.0 (§2.3, §2.4) says otherwise, so these two are checked against the spec.
  test('processing instructions are kept (C14N 1.0 §2.3)', () => {
    expect(ours('<r><e>a<?pi  some data?><?empty?></e></r>', [0], C14N)).toBe('<e>a<?pi some data?><?empty?></e>');
  });

  test('inclusive C14N carries xml:* attributes of ancestors onto the apex; exclusive does not', () => {
    const xml = '<r xml:lang="en" xml:space="preserve"><e xml:lang="de"><f/></e></r>';
    expect(ours(xml, [0, 0], C14N)).toBe('<f xml:lang="de" xml:space="preserve"></f>');
    expect(ours(xml, [0, 0], EXC_C14N)).toBe('<f></f>');
  });

  // xml-crypto leaves out a default namespace the apex inherits; C14N 1.0 renders every namespace
  // node in scope at the apex (§2.4). The xmlsec1 interop tests cover this with a real payload.
  test('inclusive C14N renders an inherited default namespace at the apex', () => {
    const xml = '<r xmlns="urn:x"><ei:n xmlns:ei="urn:e"><m/></ei:n></r>';
    expect(ours(xml, [0], C14N)).toBe('<ei:n xmlns="urn:x" xmlns:ei="urn:e"><m></m></ei:n>');
    expect(ours(xml, [0], EXC_C14N)).toBe('<ei:n xmlns:ei="urn:e"><m xmlns="urn:x"></m></ei:n>');
  });

  test('exclusive C14N with an InclusiveNamespaces PrefixList', () => {
    const xml = '<r xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d"><e><f b:x="1"/></e></r>';
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const e = (doc.documentElement as unknown as Element).getElementsByTagName('e')[0] as Element;
    const expected = new ExclusiveCanonicalization().process(e, {
        inclusiveNamespacesPrefixList: ['a', '#default'],
        ancestorNamespaces: [
          { prefix: 'a', namespaceURI: 'urn:a' },
          { prefix: 'b', namespaceURI: 'urn:b' },
        ],
      }).toString();
    const element = parseXml(xml).root.children.find((c) => c.kind === 'element') as XmlElement;
    expect(canonicalize(element, { algorithm: EXC_C14N, inclusivePrefixes: ['a', '#default'] })).toBe(expected);
    expect(expected).toBe('<e xmlns="urn:d" xmlns:a="urn:a"><f xmlns:b="urn:b" b:x="1"></f></e>');
    expect(canonicalize(element, { algorithm: EXC_C14N })).toBe('<e xmlns="urn:d"><f xmlns:b="urn:b" b:x="1"></f></e>');
  });

  test('the enveloped-signature transform leaves the signature out', () => {
    const doc = parseXml('<r><a>1</a><ds:Signature xmlns:ds="urn:ds"><x/></ds:Signature><b>2</b></r>');
    const signature = doc.root.children.find((c) => c.kind === 'element' && c.local === 'Signature') as XmlElement;
    expect(canonicalize(doc.root, { algorithm: C14N, exclude: signature })).toBe('<r><a>1</a><b>2</b></r>');
  });

  test('on generated documents', () => {
    const prefix = fc.constantFrom('', 'a', 'b', 'ei');
    const uri = fc.constantFrom('urn:x', 'urn:y', 'http://docs.oasis-open.org/ns/energyinterop/201110');
    const text = fc.string({ maxLength: 6 }).map((s) => s.replace(/[^\w &<>"'\n\t]/g, ''));
    const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    type Tree = { prefix: string; decls: Array<[string, string]>; attrs: Array<[string, string]>; text: string; children: Tree[] };
    const treeOf = (depth: number): fc.Arbitrary<Tree> =>
      fc.record({
        prefix,
        decls: fc.array(fc.tuple(prefix, uri), { maxLength: 2 }),
        attrs: fc.array(fc.tuple(fc.constantFrom('x', 'y', 'a:x', 'b:z'), text), { maxLength: 3 }),
        text,
        children: depth === 0 ? fc.constant([]) : fc.array(treeOf(depth - 1), { maxLength: 3 }),
      });
    const tree = treeOf(3);
    const toXml = (node: Tree, inScope: Set<string>): string => {
      const decls = new Map(node.decls);
      const scope = new Set([...inScope, ...decls.keys()]);
      for (const needed of [node.prefix, ...node.attrs.map(([n]) => (n.includes(':') ? n.split(':')[0] ?? '' : ''))]) {
        if (needed !== '' && !scope.has(needed)) {
          decls.set(needed, 'urn:declared');
          scope.add(needed);
        }
      }
      const attrs = new Map(node.attrs);
      const name = node.prefix === '' ? 'n' : `${node.prefix}:n`;
      const declText = [...decls].map(([p, u]) => (p === '' ? ` xmlns="${u}"` : ` xmlns:${p}="${u}"`)).join('');
      const attrText = [...attrs].map(([n, v]) => ` ${n}="${escape(v)}"`).join('');
      return `<${name}${declText}${attrText}>${escape(node.text)}${node.children.map((c) => toXml(c, scope)).join('')}</${name}>`;
    };
    fc.assert(
      fc.property(tree, tree, (outer, inner) => {
        const root = { ...outer, decls: outer.decls.filter(([p]) => p !== ''), children: [inner, ...outer.children] };
        const xml = toXml(root, new Set());
        for (const algorithm of [C14N, EXC_C14N] as const) {
          expect(ours(xml, [0], algorithm)).toBe(reference(xml, [0], algorithm));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseXml refuses what a signature must not be computed over', () => {
  test.each([
    ['a DTD', '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'],
    ['an undefined entity', '<r>&e;</r>'],
    ['an unbound prefix', '<p:r/>'],
    ['mismatched tags', '<r><a></b></r>'],
    ['two roots', '<r/><s/>'],
    ['text after the root', '<r/>junk'],
    ['a repeated attribute', '<r a="1" a="2"/>'],
    ['the same attribute through two prefixes', '<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>'],
    ['unclosed elements', '<r><a>'],
    ['a bare ampersand', '<r>a & b</r>'],
    ['a character names cannot hold', '<r><a&b></a&b></r>'],
    ['two colons in a name', '<r xmlns:a="urn:a"><a:b:c></a:b:c></r>'],
    ['a name starting with a digit', '<r><1a></1a></r>'],
    ['a local name starting with a digit', '<r xmlns:a="urn:a"><a:1b></a:1b></r>'],
    ['an element with an empty prefix', '<r><:a></:a></r>'],
    ['a control character in text', '<r>a\u0001b</r>'],
    ['a control character in an attribute', '<r a="\u0000"/>'],
    ['a control character in a comment', '<r><!-- \u001f --></r>'],
  ])('%s', (_name, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
  });
});
