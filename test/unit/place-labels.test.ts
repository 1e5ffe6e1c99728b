// Building, unit and room names: the forms lists use for the same place give one name (and so one household),
// whether they come from separate columns or from an address the parser splits.
import { describe, expect, it } from 'vitest';
import { buildingLabel, formatAddress, roomLabel, unitLabel } from '../../electron/domain/places.ts';
import { parseAddress } from '../../electron/excel/import/address.ts';

describe('place labels', () => {
  it('one building name for 12, 12号, 12栋, 12幢, 12座, 12#, 12号楼 and full-width digits', () => {
    for (const s of ['12', '12号', '12栋', '12幢', '12座', '12#', '12#楼', '12号楼', '１２栋', ' 12 栋 ']) expect(buildingLabel(s), s).toBe('12号楼');
    expect(buildingLabel('12a栋')).toBe('12A号楼');
    expect(buildingLabel('A座')).toBe('A座');
    expect(buildingLabel('综合楼')).toBe('综合楼');
    expect(buildingLabel('')).toBe('');
  });

  it('one unit name for 2, 2单元, 2门; one room name for 501, 501室, 501号, 501户', () => {
    for (const s of ['2', '2单元', '2门', '２单元']) expect(unitLabel(s), s).toBe('2单元');
    expect(unitLabel('东单元')).toBe('东单元');
    for (const s of ['501', '501室', '501号', '501户', '５０１室']) expect(roomLabel(s), s).toBe('501');
    expect(roomLabel('b502室')).toBe('B502');
    expect(roomLabel('地下室')).toBe('地下室');
  });

  it('separate columns and a parsed address name the same household', () => {
    const parsed = parseAddress('常春里12栋3单元201室')!;
    expect(formatAddress(parsed)).toBe('常春里12号楼3单元201');
    expect(formatAddress({ compound: '常春里', building: '12栋', unit: '3', room: '201室' })).toBe('常春里12号楼3单元201');
  });
});
