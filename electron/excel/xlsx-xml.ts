// The XML parts of an .xlsx as the reader sees them: bytes in whatever encoding the part is in, scanned once (xml-scan.ts),
// with XML errors turned into the reader's own; and Excel's _xHHHH_ escapes inside text.
import iconv from 'iconv-lite';
import { scanXml, scanXmlBytes, XmlError, type XmlHandlers } from './xml-scan.ts';

/** A part that is missing or not well-formed XML; read.ts turns it into the 'unreadable' file error. */
export class XlsxFormatError extends Error {}

/** A package whose main part is not a workbook (a .docx or .pptx renamed): read.ts says "not Excel". */
export class XlsxNotWorkbook extends XlsxFormatError {}

/** A part declared in an encoding nobody can decode (read.ts names it in its message). */
export class XlsxEncodingError extends XlsxFormatError {
  readonly encoding: string;
  constructor(part: string, encoding: string) {
    super(`${part}: unknown encoding ${encoding}`);
    this.encoding = encoding;
  }
}

const UTF8 = /^utf-?8$/i;

/** The encoding named in the XML declaration at the start of the bytes, if any. */
function declaredEncoding(buf: Buffer): string | null {
  if (buf[0] !== 0x3c || buf[1] !== 0x3f) return null;
  const head = buf.toString('latin1', 0, Math.min(buf.length, 200));
  const end = head.indexOf('?>');
  const m = /\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(end < 0 ? head : head.slice(0, end));
  return m ? m[1] : null;
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

/**
 * One pass over a part (UTF-8 straight from its bytes; UTF-16, with or without a byte order mark, and any other
 * declared encoding decoded first); any XML error becomes XlsxFormatError naming the part. A declaration of another
 * encoding over bytes that are valid UTF-8 is taken to be wrong (a writer that always says GB2312): GBK text is
 * practically never valid UTF-8, while decoding UTF-8 as GBK would silently garble every name.
 */
export function parse(part: string, buf: Buffer, on: XmlHandlers) {
  try {
    if (buf[0] === 0xff && buf[1] === 0xfe) scanXml(buf.toString('utf16le', 2), on);
    else if (buf[0] === 0xfe && buf[1] === 0xff) scanXml(new TextDecoder('utf-16be').decode(buf.subarray(2)), on);
    else if (buf[0] === 0x3c && buf[1] === 0x00 && buf[2] === 0x3f && buf[3] === 0x00) scanXml(buf.toString('utf16le'), on);
    else if (buf[0] === 0x00 && buf[1] === 0x3c && buf[2] === 0x00 && buf[3] === 0x3f) scanXml(new TextDecoder('utf-16be').decode(buf), on);
    else if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) scanXmlBytes(buf.subarray(3), on);
    else {
      const enc = declaredEncoding(buf);
      if (enc === null || UTF8.test(enc) || isUtf8(buf)) scanXmlBytes(buf, on);
      else if (iconv.encodingExists(enc)) scanXml(iconv.decode(buf, enc), on);
      else throw new XlsxEncodingError(part, enc);
    }
  } catch (e) {
    if (e instanceof XmlError) throw new XlsxFormatError(`${part}: ${e.message}`);
    throw e;
  }
}

const XSTRING_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Text as Excel means it: a UTF-16 code unit XML cannot carry (or that would be lost, as a carriage return is) is
 * written _xHHHH_, and an underscore that would start such an escape is written _x005F_ (ECMA-376 22.9.2.19).
 */
export function decodeXstring(s: string): string {
  return s.indexOf('_x') < 0 ? s : s.replace(XSTRING_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
