// Limits of what a person may type, one number each: the contract's zod schemas, the domain's checks and the
// renderer's form rules (renderer/src/lib/formRules.ts) all read these.

/** Temperature (℃) the check-in accepts at all; outside it the value is a typing slip ("请核对"). */
export const TEMPERATURE_MIN = 34;
export const TEMPERATURE_MAX = 43;
/**
 * Below this a reading is implausible for a person at home (a forehead thermometer held too far, a cold wrist, just
 * in from outside): the entry is refused and the clerk asked to have it measured again (复测), rather than saved as
 * a normal day. 35.0 ℃ is where hypothermia begins.
 */
export const TEMPERATURE_RECHECK_BELOW = 35;

/**
 * Failed logins, counted per user name and source ('local': this PC's window, browser mode, the CLI; 'device:<id>': a
 * paired device of the office server), after Nextcloud's brute-force protection: slow down, then lock that user on
 * that source only, never everywhere (electron/domain/login-throttle.ts).
 */
export const LOGIN_THROTTLE = {
  /** After the first failure the next attempt waits this long; each further failure doubles the wait… */
  firstDelayMs: 200,
  /** …up to this. */
  maxDelayMs: 25_000,
  /** This many failures in a row lock the user name on that source… */
  lockAfter: 10,
  /** …for this long (or until an administrator resets the password). */
  lockMinutes: 15,
} as const;

/** Longest text, in characters, per kind of field. */
export const TEXT_MAX = {
  /** A resident's name. */
  personName: 50,
  /** A cadre's name, an account's display name, a username, a job title. */
  shortName: 30,
  /** District, subdistrict, a community's name. */
  orgName: 40,
  /** A compound's name, a place renamed, a cadre's home unit, a search box. */
  placeName: 60,
  /** Building, unit, room. */
  addressPart: 30,
  phone: 30,
  docNumber: 40,
  /** Notes, reasons, an alert's or a delivery's note. */
  notes: 500,
  reason: 500,
  /** 其他症状. */
  symptomOther: 100,
  /** One supply item's name and quantity. */
  itemName: 60,
  itemQuantity: 30,
  /** Who asked for a supply. */
  requestedBy: 50,
  /** A folder path (backupDir). */
  path: 500,
  password: 200,
} as const;

/** Office server pairing: codes of 8 digits, valid 10 minutes, single use; at most 20 made at once. */
export const PAIRING = { digits: 8, minutes: 10, maxAtOnce: 20, nameMax: 40 } as const;

/** 今日监测's due list (checkins.due): a page is this many rows by default, never more than the max. */
export const DUE_PAGE = 100;
export const DUE_PAGE_MAX = 200;

/** The most people one whole-building entry (整栋正常) takes: a very large building; the confirmation lists them all. */
export const BATCH_MAX = 2000;
