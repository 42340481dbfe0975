// Calendar arithmetic on "epoch days" (days since 1970-01-01), without time zones or Date objects.

export const DAY_MS = 86_400_000;
export const DAY_SECONDS = 86_400;

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** Floor division that also works for negative numbers. */
export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** The civil date of an epoch day (proleptic Gregorian; H. Hinnant's algorithm). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The epoch day of a civil date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** ISO weekday index, Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday). */
export function weekdayIndex(days: number): number {
  return (((days + 3) % 7) + 7) % 7;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function pad4(n: number): string {
  if (n >= 1000 && n <= 9999) return String(n);
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).padStart(4, '0');
}

/** `YYYY-MM-DD` of an epoch day. */
export function isoDate(days: number): string {
  const c = civilFromDays(days);
  return `${pad4(c.year)}-${pad2(c.month)}-${pad2(c.day)}`;
}

/** The epoch day of a strict `YYYY-MM-DD` string, or undefined when it is not a real date. */
export function parseIsoDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** `YYYY-MM-DDTHH:MM:SS` of a wall-clock timestamp (milliseconds of local time counted as if UTC). */
export function isoWallDateTime(wallMs: number): string {
  const days = floorDiv(wallMs, DAY_MS);
  const secs = Math.floor((wallMs - days * DAY_MS) / 1000);
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return `${isoDate(days)}T${pad2(h)}:${pad2(m)}:${pad2(secs % 60)}`;
}

/** `+HH:MM` / `-HH:MM` of an offset in milliseconds (rounded to the minute). */
export function formatOffset(offsetMs: number): string {
  const total = Math.round(offsetMs / 60_000);
  const sign = total < 0 ? '-' : '+';
  const abs = Math.abs(total);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}
