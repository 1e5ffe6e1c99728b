// Demo households and their members: family shapes of 1–5, names that fit each generation, valid resident ID
// numbers (unique), mobiles, and a few people with other documents or none (infants, with a guardian).
import type { Category, DocType, Sex } from '../../db/schema.ts';
import { makeIdNumber } from '../../shared/idcard.ts';
import { addDays, ageOn } from '../../domain/dates.ts';
import { Rng, Weighted } from './random.ts';
import { AREA_CODES, CATEGORY_WEIGHTS, GIVEN_NAMES, PHONE_PREFIXES, RESIDENT_NOTES, SURNAMES } from './tables.ts';

export interface Person {
  id: number;
  householdId: number;
  communityId: number;
  name: string;
  sex: Sex;
  birthDate: string;
  age: number;
  docType: DocType;
  docNumber: string | null;
  phone: string | null;
  category: Category;
  notes: string | null;
  guardianId: number | null;
}

const SIZES = new Weighted<number>([
  [1, 20],
  [2, 30],
  [3, 26],
  [4, 15],
  [5, 9],
]);

export class PeopleFactory {
  private rng: Rng;
  private today: string;
  private surnames = new Weighted(SURNAMES);
  private areas = new Weighted(AREA_CODES);
  private categories = new Weighted(CATEGORY_WEIGHTS);
  /** docType + number already given out: type + number identify a person. */
  private used: Set<string>;

  /** `used`: shared by the factories of several subdistricts seeded into one database (numbers unique district-wide). */
  constructor(rng: Rng, today: string, used = new Set<string>()) {
    this.rng = rng;
    this.today = today;
    this.used = used;
  }

  householdSize(): number {
    return SIZES.pick(this.rng);
  }

  surname(): string {
    return this.surnames.pick(this.rng);
  }

  name(sex: Sex, birthYear: number, surname = this.surname()): string {
    const band = birthYear < 1965 ? 'old' : birthYear < 1985 ? 'mid' : birthYear < 2008 ? 'young' : 'child';
    return surname + this.rng.pick(GIVEN_NAMES[band][sex]);
  }

  mobile(): string {
    let s = this.rng.pick(PHONE_PREFIXES);
    for (let i = 0; i < 8; i++) s += this.rng.int(0, 9);
    return s;
  }

  private birthDateForAge(age: number): string {
    const d = addDays(this.today, -(age * 365 + Math.floor(age / 4) + this.rng.int(0, 364)));
    return d > this.today ? this.today : d;
  }

  private idNumber(sex: Sex, birthDate: string): string {
    const area = this.areas.pick(this.rng);
    for (let tries = 0; ; tries++) {
      // The 17th digit is odd for men and even for women.
      const seq = this.rng.int(0, 499) * 2 + (sex === 'M' ? 1 : 0);
      const n = makeIdNumber(tries < 20 ? area : this.areas.pick(this.rng), birthDate, seq);
      if (!this.used.has('居民身份证' + n)) {
        this.used.add('居民身份证' + n);
        return n;
      }
    }
  }

  private otherDocument(type: DocType): string {
    for (;;) {
      const digits = String(this.rng.int(10_000_000, 99_999_999));
      const n = type === '护照' ? 'E' + digits : type === '港澳居民来往内地通行证' ? 'H' + digits : digits;
      if (!this.used.has(type + n)) {
        this.used.add(type + n);
        return n;
      }
    }
  }

  /** One household's members; the first is the head, whose phone the children share. */
  household(size: number, householdId: number, communityId: number, nextId: () => number): Person[] {
    const rng = this.rng;
    const category = this.categories.pick(rng);
    const headAge = size === 1 ? (rng.chance(0.4) ? rng.int(65, 90) : rng.int(22, 64)) : rng.int(26, 76);
    const headSex: Sex = rng.chance(0.55) ? 'M' : 'F';
    const headSurname = this.surname();
    const specs: { age: number; sex: Sex; surname: string; role: 'head' | 'spouse' | 'child' | 'parent' }[] = [
      { age: headAge, sex: headSex, surname: headSurname, role: 'head' },
    ];
    let spouseSurname = headSurname;
    if (size >= 2) {
      spouseSurname = this.surname();
      specs.push({ age: Math.max(20, headAge + rng.int(-4, 4)), sex: headSex === 'M' ? 'F' : 'M', surname: spouseSurname, role: 'spouse' });
    }
    const fatherSurname = headSex === 'M' || size < 2 ? headSurname : spouseSurname;
    const youngest = Math.min(...specs.map((s) => s.age));
    let parentAdded = false;
    for (let k = 2; k < size; k++) {
      if (headAge < 48 && !parentAdded && rng.chance(0.3)) {
        parentAdded = true;
        const sex: Sex = rng.chance(0.5) ? 'M' : 'F';
        specs.push({ age: Math.min(95, headAge + rng.int(24, 32)), sex, surname: sex === 'M' && headSex === 'M' ? headSurname : this.surname(), role: 'parent' });
      } else if (headAge >= 58 && rng.chance(0.5)) {
        specs.push({ age: rng.int(0, 12), sex: rng.chance(0.5) ? 'M' : 'F', surname: fatherSurname, role: 'child' });
      } else {
        specs.push({ age: Math.max(0, youngest - rng.int(22, 38)), sex: rng.chance(0.52) ? 'M' : 'F', surname: fatherSurname, role: 'child' });
      }
    }
    const people: Person[] = [];
    let headPhone: string | null = null;
    for (const s of specs) {
      const id = nextId();
      const birthDate = this.birthDateForAge(s.age);
      const age = ageOn(birthDate, this.today);
      let docType: DocType = '居民身份证';
      if (age === 0 && people.length && rng.chance(0.3)) docType = '无证件';
      else if (category === '入境' && age >= 16 && rng.chance(0.3)) docType = '护照';
      else if (age >= 16 && rng.chance(0.003)) docType = rng.chance(0.7) ? '港澳居民来往内地通行证' : '台湾居民来往大陆通行证';
      const docNumber = docType === '居民身份证' ? this.idNumber(s.sex, birthDate) : docType === '无证件' ? null : this.otherDocument(docType);
      let phone: string | null;
      if (age < 14 && headPhone) phone = headPhone;
      else if (age >= 80 && headPhone && rng.chance(0.5)) phone = headPhone;
      else phone = rng.chance(0.01) ? null : this.mobile();
      if (s.role === 'head') headPhone = phone;
      let notes: string | null = null;
      if (size === 1 && age >= 70) notes = '独居老人';
      else if (age >= 16 && rng.chance(0.03)) notes = rng.pick(RESIDENT_NOTES.slice(1));
      // Only a woman of that age is pregnant (the draw is kept, so the rest of the demo does not shift).
      if (notes === '孕妇' && (s.sex !== 'F' || age < 20 || age > 45)) notes = null;
      people.push({
        id,
        householdId,
        communityId,
        name: this.name(s.sex, Number(birthDate.slice(0, 4)), s.surname),
        sex: s.sex,
        birthDate,
        age,
        docType,
        docNumber,
        phone,
        // A household isolates together and usually shares a category; now and then one member differs.
        category: rng.chance(0.06) ? this.categories.pick(rng) : category,
        notes,
        guardianId: docType === '无证件' ? people[0].id : null,
      });
    }
    return people;
  }
}

