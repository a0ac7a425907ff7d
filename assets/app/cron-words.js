// A cron schedule in words, in the user's language: the common forms (every N minutes, hourly at
// :MM, daily at HH:MM, on some weekdays, on a day of the month or of the year, @macros). Anything
// else gives null, and the page shows the expression itself.
import { getLang, t } from './i18n.js';

const MACROS = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** A field's values as sorted numbers, or null when it is `*` or uses what we do not describe (L, W, #). */
function values(field, lo, hi, names = []) {
  if (field === '*' || field === '?') return null;
  const number = (text) => {
    const named = names.indexOf(text.toUpperCase());
    const n = named >= 0 ? named + lo : Number(text);
    if (!/^\d+$/.test(text) && named < 0) throw new Error('unsupported');
    if (n < lo || n > hi) throw new Error('range');
    return n;
  };
  const out = new Set();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error('step');
    let from, to;
    if (range === '*') [from, to] = [lo, hi];
    else if (range.includes('-')) [from, to] = range.split('-').map(number);
    else [from, to] = [number(range), stepText === undefined ? number(range) : hi];
    if (from > to) throw new Error('reversed');
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

/** The step of an evenly spaced minute list starting at 0 and filling the hour (0,15,30,45 → 15). */
function evenStep(list) {
  if (list.length < 2 || list[0] !== 0) return null;
  const step = list[1];
  return list.every((m, i) => m === i * step) && list[list.length - 1] + step >= 60 ? step : null;
}

const pad = (n) => String(n).padStart(2, '0');
const clock = (h, m) => `${pad(h)}:${pad(m)}`;
const join = (items) => new Intl.ListFormat(getLang(), { type: 'conjunction' }).format(items);
const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function ordinal(n) {
  if (getLang() === 'fr') return n === 1 ? '1er' : String(n);
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' })[n % 10] || 'th';
  return n + suffix;
}

function weekdayName(day) {
  // 1 January 2023 was a Sunday (day 0).
  return new Intl.DateTimeFormat(getLang(), { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2023, 0, 1 + day));
}

/** "every day", "Monday to Friday", "on the 1st of every month"…; '' for every day; null when not describable. */
function daysPhrase(dom, month, dow, { everyDay }) {
  if (!dom && !month && !dow) return everyDay ? t('cron.everyDay') : '';
  if (dow && !dom && !month) {
    const days = [...new Set(dow.map((d) => d % 7))].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
    if (days.join() === '1,2,3,4,5') return t('cron.weekdays');
    if (days.length === 7) return everyDay ? t('cron.everyDay') : '';
    return t('cron.weekly', { days: join(days.map((d) => t('cron.dayItem', { day: weekdayName(d) }))) });
  }
  if (dom && !month && !dow) return t('cron.monthly', { days: join(dom.map((n) => t('cron.dateItem', { n: ordinal(n) }))) });
  if (dom && month && !dow && dom.length === 1 && month.length === 1) {
    let date = new Intl.DateTimeFormat(getLang(), { day: 'numeric', month: 'long', timeZone: 'UTC' })
      .format(Date.UTC(2024, month[0] - 1, dom[0]));
    if (getLang() === 'fr' && dom[0] === 1) date = date.replace(/^1 /, '1er ');
    return t('cron.yearly', { date });
  }
  return null;
}

/** How often within a day: {at: [times]} for fixed times, {every: 'Every 15 minutes…'} otherwise; null when not describable. */
function timesPhrase(minutes, hours, minuteField, hourField) {
  const hourStep = /^(\*|0)\/(\d+)$/.exec(hourField);
  const range = /^(\d+)-(\d+)$/.exec(hourField);
  const between = (first, last) => t('cron.between', { from: first, to: last });
  // Minute-level frequencies: every minute, every N minutes (within an hour range or not).
  const step = !minutes ? 1 : evenStep(minutes);
  if (step) {
    const every = step === 1 ? t('cron.everyMinute') : t('cron.everyNMinutes', { n: step });
    const lastMinute = 60 - (60 % step || step);
    if (!hours) return { every };
    if (range || hours.length === 1) {
      return { every: every + between(clock(hours[0], 0), clock(hours[hours.length - 1], lastMinute)) };
    }
    return null;
  }
  if (minutes.length !== 1) return null;
  const m = minutes[0];
  const hourly = (n) => {
    if (n === 1) return m === 0 ? t('cron.everyHour') : t('cron.everyHourAt', { mm: pad(m) });
    return m === 0 ? t('cron.everyNHours', { n }) : t('cron.everyNHoursAt', { n, mm: pad(m) });
  };
  if (!hours) return { every: hourly(1) };
  if (hourStep) return { every: hourly(Number(hourStep[2])) };
  if (range && hours.length > 2) return { every: hourly(1) + between(clock(hours[0], m), clock(hours[hours.length - 1], m)) };
  return { at: hours.map((h) => clock(h, m)) };
}

/**
 * The schedule in words ("Every day at 02:30", "Toutes les 15 minutes, du lundi au vendredi"), or
 * null when the expression is not one of the forms described here.
 */
export function cronToWords(expression) {
  if (!expression) return null;
  let text = expression.trim().replace(/\s+/g, ' ');
  text = MACROS[text.toLowerCase()] || text;
  const fields = text.split(' ');
  if (fields.length !== 5) return null;
  const [minuteField, hourField, domField, monthField, dowField] = fields;
  try {
    const minutes = values(minuteField, 0, 59);
    const hours = values(hourField, 0, 23);
    const dom = values(domField, 1, 31);
    const month = values(monthField, 1, 12, MONTH_NAMES);
    const dow = values(dowField, 0, 7, DAY_NAMES);
    const times = timesPhrase(minutes, hours, minuteField, hourField);
    if (!times) return null;
    const days = daysPhrase(dom, month, dow, { everyDay: Boolean(times.at) });
    if (days === null) return null;
    if (times.at) return capital(t('cron.at', { days, times: join(times.at) }));
    return capital(days ? `${times.every}, ${days}` : times.every);
  } catch {
    return null;
  }
}
