import { badInput } from '../errors.js';

const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit

// A pragmatic address check (the WHATWG form-validation grammar): one @, a dot-separated domain
// of letters, digits and hyphens. Deliverability is the job of a confirmation email, not a regex.
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Trims and lower-cases an email, or throws BAD_USER_INPUT when it is not an address. */
export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw badInput('Email address is not valid', 'email');
  }
  return email;
}
