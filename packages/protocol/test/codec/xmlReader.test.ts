import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readXml, type XmlElement } from '../../src/codec/xmlReader.js';
import { OadrProtocolError } from '../../src/index.js';

interface Tree {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Tree[];
}

const names = fc.constantFrom('a:item', 'a:value', 'b:x', 'b:Long-name_1.2', 'plain');
const textChar = fc.constantFrom(...'ab 19.-é€&<>"\''.split(''));
const text = fc.array(textChar, { maxLength: 10 }).map((c) => c.join('').trim());
const attrs = fc.dictionary(fc.constantFrom('id', 'a:Id', 'kind'), text, { maxKeys: 2 });

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.record({ name: names, attributes: attrs, text, children: fc.constant<Tree[]>([]) }),
    fc.record({ name: names, attributes: attrs, text: fc.constant(''), children: fc.array(tie('tree'), { maxLength: 4 }) }),
  ),
}));

const escape = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Writes a tree with some of XML's freedoms: comments, spacing, CDATA, self-closing tags. */
function write(t: Tree, style: number, root = false): string {
  const ns = root ? ' xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:default"' : '';
  const attributes = Object.entries(t.attributes)
    .map(([k, v]) => ` ${k}${style % 2 ? ' = ' : '='}"${escape(v)}"`)
    .join('');
  const open = `<${t.name}${ns}${attributes}${style % 3 === 0 ? ' ' : ''}`;
  if (t.children.length === 0 && t.text === '') return `${open}/>`;
  const body =
    t.children.length > 0
      ? t.children.map((c, i) => (i % 2 && style % 2 ? `<!-- c${i} -->\n  ` : '') + write(c, style + i)).join(style % 2 ? '\n' : '')
      : style % 4 === 1 && !t.text.includes(']]>')
        ? `<![CDATA[${t.text}]]>`
        : escape(t.text);
  return `${open}>${body}</${t.name}${style % 5 === 0 ? ' ' : ''}>`;
}

function fromReader(e: XmlElement): Tree {
  return { name: e.name, attributes: e.attributes ?? {}, text: e.text, children: e.children.map(fromReader) };
}

type Ordered = Record<string, unknown>;
const fxp = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: true });

function fromFxp(node: Ordered): Tree {
  const name = Object.keys(node).find((k) => k !== ':@')!;
  const content = node[name] as Ordered[];
  const attributes = Object.fromEntries(Object.entries((node[':@'] ?? {}) as Record<string, string>).filter(([k]) => !k.startsWith('xmlns')));
  const children = content.filter((c) => !('#text' in c)).map(fromFxp);
  const text = content.filter((c) => '#text' in c).map((c) => String(c['#text'])).join('');
  return { name, attributes, text, children };
}

describe('the XML reader agrees with fast-xml-parser', () => {
  test('on generated documents with comments, CDATA, entities and spacing', () => {
    fc.assert(
      fc.property(tree, fc.nat(60), (t, style) => {
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${write(t, style, true)}\n<!-- end -->\n`;
        const ours = fromReader(readXml(xml));
        const theirs = fromFxp((fxp.parse(xml) as Ordered[]).find((n) => !('?xml' in n))!);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 500 },
    );
  });

  test('whatever fast-xml-parser calls malformed, the reader refuses with a typed error', () => {
    fc.assert(
      fc.property(tree, fc.nat(60), fc.nat(), (t, style, cut) => {
        const xml = write(t, style, true);
        const damaged = xml.slice(0, cut % xml.length) + xml.slice((cut % xml.length) + 1);
        if (XMLValidator.validate(damaged) === true) return;
        expect(() => readXml(damaged)).toThrow(OadrProtocolError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the XML reader resolves namespaces and refuses what 2.0b never needs', () => {
  test('names resolve to URIs through default and prefixed declarations, innermost first', () => {
    const root = readXml('<r xmlns="urn:d" xmlns:p="urn:p"><p:x xmlns:p="urn:q"><p:y/></p:x><z/></r>');
    expect([root.uri, root.children[0]!.uri, root.children[0]!.children[0]!.uri, root.children[1]!.uri]).toEqual(['urn:d', 'urn:q', 'urn:q', 'urn:d']);
    expect(root.children[0]!.key).toBe('urn:q x');
  });

  test('a byte order mark and an XML declaration are fine', () => {
    expect(readXml('\uFEFF<?xml version="1.0"?><a/>').name).toBe('a');
  });

  test.each([
    ['<a>', /not closed/],
    ['<a></b>', /expected <\/a>, found <\/b>/],
    ['<a/><b/>', /content after the root element/],
    ['text<a/>', /expected an element/],
    ['<a x="1" x="2"/>', /appears twice/],
    ['<a x=1/>', /not quoted/],
    ['<a x="<"/>', /"<" in the value/],
    ['<a>&nbsp;</a>', /not declared/],
    ['<a>fish & chips</a>', /entity reference/],
    ['<a>&#1;</a>', /not an allowed character reference/],
    ['<a>\u0001</a>', /U\+0001/],
    ['<a><!-- open</a>', /unterminated comment/],
    ['<a><![CDATA[x</a>', /unterminated CDATA/],
    ['<1a/>', /not a valid element name/],
    ['<p:a/>', /prefix "p"/],
    ['', /no root element/],
  ])('%j is malformed', (xml, reason) => {
    expect(() => readXml(xml)).toThrow(reason);
  });

  test('malformed input names the line and column', () => {
    expect(() => readXml('<a>\n  <b>\n</a>')).toThrow(/line 3, column 1/);
  });

  test('a DOCTYPE anywhere is refused as a DTD', () => {
    expect(() => readXml('<!DOCTYPE a><a/>')).toThrow(expect.objectContaining({ code: 'OADR_ERR_XML_DTD_FORBIDDEN' }));
    expect(() => readXml('<a><!DOCTYPE a></a>')).toThrow(expect.objectContaining({ code: 'OADR_ERR_XML_DTD_FORBIDDEN' }));
  });

  test('nesting deeper than the limit is refused without exhausting the stack', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(() => readXml(deep)).toThrow(/nest deeper than 64/);
    expect(readXml('<a>'.repeat(64) + '</a>'.repeat(64)).name).toBe('a');
  });
});
