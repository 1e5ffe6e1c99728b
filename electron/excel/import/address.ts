// One address column → compound / building / unit / room, for lists that do not split the address.
// Forms seen upstream: 金桥小区3号楼2单元501, 侍郎房5-1-302, 常春里12栋3单元201室, 新华小区11号楼502 (no unit).
import { cleanPlaceName, PLACE_FORMS } from '../../domain/places.ts';

export interface ParsedAddress {
  /** A community named at the start of the address ("西大街社区金桥小区…"), when there is one. */
  community: string | null;
  compound: string;
  building: string;
  unit: string;
  room: string;
}

const { building: B, unit: U, room: R } = PLACE_FORMS;
const BUILDING = `(${B.number})(?:${B.suffix}|-)`;
const UNIT = `(?:(${U.number})(?:${U.suffix}|-))?`;
const ROOM = `(${R.number})(?:${R.suffix})?`;
const FULL = new RegExp(`^(.*?[^\\d\\-])${BUILDING}${UNIT}${ROOM}$`);

/**
 * Parses an address; null when it cannot be split (the caller rejects the row and asks for four columns).
 * `orgNames` (district, subdistrict) and leading province/city/district/subdistrict names are cut away first.
 */
export function parseAddress(raw: string, orgNames: string[] = []): ParsedAddress | null {
  let s = cleanPlaceName(raw).toUpperCase().replace(/[－—–~～]/g, '-');
  for (const n of orgNames) {
    const c = cleanPlaceName(n);
    if (c && s.startsWith(c)) s = s.slice(c.length);
  }
  // Province/city/district/subdistrict prefixes only where what follows proves them to be prefixes (城市花园 stays).
  s = s
    .replace(/^[^\d]{2,10}?省(?=[^\d]{2,10}?市)/, '')
    .replace(/^[^\d]{2,10}?市(?=[^\d]{1,10}?[区县])/, '')
    .replace(/^[^\d]{1,10}?[区县](?=[^\d]{1,10}?(?:街道|镇|乡))/, '')
    .replace(/^[^\d]{1,10}?(?:街道办事处|街道|镇|乡)(?=[^\d]{2,20}?社区)/, '');
  let community: string | null = null;
  const cm = s.match(/^([^\d]{2,20}?社区)(?=.)/);
  if (cm) {
    community = cm[1];
    s = s.slice(cm[1].length);
  }
  const m = s.match(FULL);
  if (!m) return null;
  const compound = m[1].replace(/[-,，、]+$/, '');
  if (!compound) return null;
  return { community, compound, building: m[2], unit: m[3] ?? '', room: m[4] };
}
