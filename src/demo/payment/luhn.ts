/**
 * The Luhn (mod 10) check the fake payment provider runs before it tokenises a card,
 * as real providers do to reject typos before they reach the card network.
 */

/** Digits only, 12 to 19 of them, passing the Luhn checksum. */
export function isLuhnValid(cardNumber: string): boolean {
  if (!/^\d{12,19}$/.test(cardNumber)) return false;
  let sum = 0;
  let double = false;
  for (let i = cardNumber.length - 1; i >= 0; i--) {
    let digit = cardNumber.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Appends the Luhn check digit to a partial number (used by the card-testing simulator). */
export function withLuhnCheckDigit(partial: string): string {
  for (let check = 0; check <= 9; check++) {
    if (isLuhnValid(partial + check)) return partial + check;
  }
  throw new Error('unreachable: one check digit always fits');
}

/** Removes the spaces and dashes people type inside card numbers. */
export function normaliseCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}
