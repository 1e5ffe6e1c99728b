// What an OLE compound file (CFB, [MS-CFB]) is, from the names of the streams in its directory: a password-protected
// .xlsx (Excel and WPS wrap the encrypted package in one: streams EncryptionInfo + EncryptedPackage), an old .xls
// (Workbook, or Book for Excel 5/95) or another old Office document (.doc, .ppt). Uploaded lists with ID numbers are
// often password-protected, and old .xls files are often renamed .xlsx: both deserve their own message rather than
// "not a valid .xlsx". Only the directory is read (no stream contents), with every offset bounds-checked and every
// sector chain capped, so a hostile file cannot make this loop or read past the buffer.

const MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const END_OF_CHAIN = 0xfffffffe;
const FREE = 0xffffffff;

export type OleKind = 'encrypted' | 'xls' | 'other';

export function isOle(data: Buffer): boolean {
  return data.length >= 512 && data.subarray(0, 8).equals(MAGIC);
}

/** The names of the streams and storages in a compound file's directory; null when the directory cannot be read. */
export function oleEntryNames(data: Buffer): string[] | null {
  if (!isOle(data)) return null;
  const shift = data.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const size = 1 << shift;
  const sectors = Math.floor((data.length - size) / size);
  const at = (n: number) => (n < sectors ? (n + 1) * size : -1);
  // FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) fatSectors.push(data.readUInt32LE(0x4c + i * 4));
  let difat = data.readUInt32LE(0x44);
  for (let hops = 0; difat !== END_OF_CHAIN && difat !== FREE && hops < sectors; hops++) {
    const off = at(difat);
    if (off < 0) return null;
    for (let i = 0; i < size / 4 - 1; i++) fatSectors.push(data.readUInt32LE(off + i * 4));
    difat = data.readUInt32LE(off + size - 4);
  }
  const fatCount = Math.min(data.readUInt32LE(0x2c), fatSectors.length);
  const next = (n: number): number => {
    const fatIndex = Math.floor(n / (size / 4));
    if (fatIndex >= fatCount) return END_OF_CHAIN;
    const off = at(fatSectors[fatIndex]);
    return off < 0 ? END_OF_CHAIN : data.readUInt32LE(off + (n % (size / 4)) * 4);
  };
  const names: string[] = [];
  let dir = data.readUInt32LE(0x30);
  for (let hops = 0; dir !== END_OF_CHAIN && hops < sectors; hops++) {
    const off = at(dir);
    if (off < 0) return names.length ? names : null;
    for (let e = off; e < off + size; e += 128) {
      const len = data.readUInt16LE(e + 0x40);
      const type = data[e + 0x42];
      if (type === 0 || len < 2 || len > 64) continue;
      names.push(data.toString('utf16le', e, e + len - 2));
    }
    dir = next(dir);
  }
  return names;
}

/** What the compound file holds, by its streams (case-insensitive, as the format compares names). */
export function oleKind(data: Buffer): OleKind {
  const names = new Set((oleEntryNames(data) ?? []).map((n) => n.toLowerCase()));
  if (names.has('encryptioninfo') || names.has('encryptedpackage')) return 'encrypted';
  if (names.has('workbook') || names.has('book')) return 'xls';
  return 'other';
}
