import type { Clock } from './clock.js';

/** Entity prefixes: ids read as `acc_01JD…`, sort by creation time, and say what they name. */
export const idPrefixes = {
  tenant: 'ten',
  account: 'acc',
  contact: 'con',
  apiKey: 'key',
  audit: 'aud',
  event: 'evt',
  team: 'tm',
  membership: 'mbr',
  productLine: 'pl',
  productLineAssignment: 'pla',
  ownershipPeriod: 'own',
  routingOverride: 'ovr',
  delegation: 'dlg',
  availability: 'awy',
  activity: 'act',
  userInactivity: 'uin',
  order: 'ord',
  orderLine: 'orl',
  invoice: 'inv',
  invoiceLine: 'inl',
  payment: 'pay',
  settlement: 'stl',
  creditLimit: 'crl',
  creditHold: 'chd',
  exchangeRate: 'fxr',
  creditApproval: 'cap',
  creditDecision: 'cdc',
} as const;
export type IdPrefix = (typeof idPrefixes)[keyof typeof idPrefixes];

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: sorts like its values
const TIME_LEN = 10;
const RANDOM_LEN = 16;

let lastTime = -1;
let lastRandom: number[] = [];

function randomDigits(): number[] {
  const bytes = new Uint8Array(RANDOM_LEN);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b & 31);
}

/** Increments the random part so ids made in one millisecond still sort in creation order. */
function increment(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  return randomDigits(); // 2^80 ids in one millisecond: start over rather than overflow
}

/**
 * A new id: prefix, `_`, then a ULID (48-bit millisecond time + 80 random bits), monotonic
 * within one process even when the clock stands still.
 *
 * @example newId('acc', clock) // 'acc_01JDQ3…'
 */
export function newId(prefix: IdPrefix, clock: Clock): string {
  let time = clock.now().getTime();
  if (time <= lastTime) {
    time = lastTime;
    lastRandom = increment(lastRandom);
  } else {
    lastTime = time;
    lastRandom = randomDigits();
  }
  let timePart = '';
  for (let i = 0, t = time; i < TIME_LEN; i++, t = Math.floor(t / 32)) timePart = ALPHABET[t % 32] + timePart;
  return `${prefix}_${timePart}${lastRandom.map((d) => ALPHABET[d]).join('')}`;
}

/** The pattern of a valid id with the given prefix. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{${TIME_LEN + RANDOM_LEN}}$`);
}
