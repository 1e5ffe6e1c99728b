// The XML scanner the .xlsx reader runs on: what it reports for well-formed parts and what it refuses.
import { describe, expect, it } from 'vitest';
import { attrOf, attrsOf, scanXml, scanXmlBytes, XmlError, type XmlHandlers } from '../../electron/excel/xml-scan.ts';

function events(xml: string, scan: (on: XmlHandlers) => void = (on) => scanXml(xml, on)): string[] {
  const out: string[] = [];
  scan({
    open: (n, a) => out.push(`<${n}${['k', 'formatCode'].map((k) => (a.get(k) === undefined ? '' : ` ${k}=${a.get(k)}`)).join('')}>`),
    close: (n) => out.push(`</${n}>`),
    text: (t) => out.push(JSON.stringify(t)),
  });
  return out;
}

describe('scanXml', () => {
  it('reports elements, attributes, text and CDATA in order; prefixes are dropped from element names', () => {
    expect(events('<?xml version="1.0"?>\n<!-- c --><x:a k="1"><b/>t&amp;&lt;&#x4E2D;&#25991;<![CDATA[<raw>&amp;]]></x:a>\n')).toEqual([
      '<a k=1>',
      '<b>',
      '</b>',
      '"t&<中文"',
      '"<raw>&amp;"',
      '</a>',
    ]);
  });

  it("finds a tag's end past a '>' inside a quoted attribute, and normalises line ends in text", () => {
    expect(events('<numFmt formatCode="[>100]0;\'<\'0"/>')).toEqual(["<numFmt formatCode=[>100]0;'<'0>", '</numFmt>']);
    expect(events('<t>a\r\nb\rc</t>')).toEqual(['<t>', '"a\\nb\\nc"', '</t>']);
  });

  it.each([
    ['an unclosed element', '<a><b></b>'],
    ['a mismatched end tag', '<a><b></a></b>'],
    ['a start tag cut off', '<a><b k="1"'],
    ['a stray ampersand', '<a>x & y</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a DOCTYPE (entity expansion)', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'],
    ['text outside the root', 'junk<a/>'],
    ['two roots', '<a/><b/>'],
    ['an end tag naming the prefix wrongly', '<x:a></y:a>'],
    ['nothing at all', '  '],
    ['a character reference out of range', '<a>&#x110000;</a>'],
  ])('refuses %s', (_what, xml) => {
    expect(() => scanXml(xml, {})).toThrow(XmlError);
  });
});

describe('scanXmlBytes', () => {
  /** The events, or the error, of scanning `xml` whole. */
  const outcome = (scan: (on: XmlHandlers) => void) => {
    try {
      return events('', scan);
    } catch (e) {
      return e instanceof XmlError ? 'XmlError' : e;
    }
  };
  // Cuts in every place: inside comments, CDATA and instructions holding '<', inside start and end tags, in text and
  // between the bytes of a character; and documents that are not well-formed, which must fail the same way.
  const docs = [
    '<?xml version="1.0"?>\n<!-- a comment long enough <b> c --><x:a k="1"><b/>t&amp;&lt;&#x4E2D;&#25991;<![CDATA[<raw> & <x>]]></x:a>\n',
    '<?pi and some text <not a tag>?><sst><si><t>王小明 &amp; 李<!-- a note < for the clerk -->华</t></si><si><t xml:space="preserve"> 金桥小区3号楼 </t></si></sst>',
    '<numFmt formatCode="[>100]0;\'<\'0"/>',
    '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>身份证号</t></is></c></row></sheetData></worksheet>',
    '<a><b></b>',
    '<a><b></a></b>',
    '<a><b k="1"',
    '<a>x & y</a>',
    '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
    'junk<a/>',
    '<a/><b/>',
    '<a><!-- never closed </a>',
    '<a><![CDATA[ never closed </a>',
    '',
  ];
  it.each(docs.map((d) => [d]))('scans %j in pieces of any size as it scans it whole', (xml) => {
    const whole = outcome((on) => scanXml(xml, on));
    const bytes = Buffer.from(xml, 'utf8');
    for (let window = 1; window <= bytes.length + 1; window++) expect([window, outcome((on) => scanXmlBytes(bytes, on, window))]).toEqual([window, whole]);
  });
});

describe('attrOf', () => {
  it('reads by local name, decodes entities, skips namespace declarations, and tells a missing attribute', () => {
    const attrs = ' xmlns:r="urn:x" name="名单 &amp; 附表" r:id="rId3" sheetId=\'2\'';
    expect(attrOf(attrs, 'name')).toBe('名单 & 附表');
    expect(attrOf(attrs, 'id')).toBe('rId3');
    expect(attrOf(attrs, 'sheetId')).toBe('2');
    expect(attrOf(attrs, 'r')).toBeUndefined();
    expect(attrOf(' r="A1" s="3"', 's')).toBe('3');
    expect(() => attrOf(' r=A1', 'r')).toThrow(XmlError);
    // Bounds: only the attribute text of one tag is searched.
    expect(attrOf('<c r="A1" s="3"><c r="B1">', 's', 2, 15)).toBe('3');
    expect(attrOf('<c r="A1" s="3"><c r="B1">', 's', 19, 25)).toBeUndefined();
  });
});

describe('attrsOf (several attributes in one pass)', () => {
  it('gives what attrOf gives for each name: the first of each, by local name, decoded; undefined when missing', () => {
    const attrs = ' xmlns:r="urn:x" name="名单 &amp; 附表" r:id="rId3" sheetId=\'2\' name="second"';
    const names = ['sheetId', 'r', 'id', 'name', 'state'];
    const out: (string | undefined)[] = ['stale', 'stale', 'stale', 'stale', 'stale'];
    attrsOf(attrs, names, out);
    expect(out).toEqual(names.map((n) => attrOf(attrs, n)));
    expect(out).toEqual(['2', undefined, 'rId3', '名单 & 附表', undefined]);
    // Bounds: one tag's attribute text only.
    attrsOf('<c r="A1" s="3"><c r="B1" t="s">', ['r', 't', 's'], out, 2, 15);
    expect(out.slice(0, 3)).toEqual(['A1', undefined, '3']);
    attrsOf('<c r="A1" s="3"><c r="B1" t="s">', ['r', 't', 's'], out, 19, 31);
    expect(out.slice(0, 3)).toEqual(['B1', 's', undefined]);
  });

  it('refuses a bad attribute where attrOf would read it, and reads no further than attrOf once all are found', () => {
    // A name missing: every attribute is read, as attrOf reads them all for it.
    expect(() => attrsOf(' r="A1" t=s', ['r', 's'], [])).toThrow(XmlError);
    expect(() => attrOf(' r="A1" t=s', 's')).toThrow(XmlError);
    // Both found before the bad one: like attrOf for each of them.
    const out: (string | undefined)[] = [];
    attrsOf(' r="A1" s="3" t=s', ['r', 's'], out);
    expect(out).toEqual(['A1', '3']);
    expect([attrOf(' r="A1" s="3" t=s', 'r'), attrOf(' r="A1" s="3" t=s', 's')]).toEqual(['A1', '3']);
  });

  it("is what a scan's open handler reads with many(); short element names outside a sheet's own keep their names", () => {
    const seen: string[] = [];
    const out: (string | undefined)[] = [];
    scanXml('<ro><x:c r="B2" s="1" t="s"/><a t="n"/><rows/><ab/><abc/><row r="3"/><x:row/><is/><si/></ro>', {
      open: (n, a) => {
        a.many(['r', 't', 's'], out);
        seen.push(`${n}:${out.map((v) => v ?? '-').join(',')}`);
      },
    });
    expect(seen).toEqual(['ro:-,-,-', 'c:B2,s,1', 'a:-,n,-', 'rows:-,-,-', 'ab:-,-,-', 'abc:-,-,-', 'row:3,-,-', 'row:-,-,-', 'is:-,-,-', 'si:-,-,-']);
  });
});
