// The fields that both user forms have, "Create a user" (Users) and "Manage"
// (UserManage): the phone, the roles and the lender, and the checks both make
// before sending. Each form keeps its own state and ids ("user-…", "edit-…").

import { describedBy, type FieldErrors } from '../fields';
import { INVALID_PHONE_MESSAGE, PHONE_HINT, toE164 } from '../phone';
import { ROLE_NAMES, type Lender } from '../types';
import { FieldMessage } from '../ui';

/**
 * The phone as the API takes it (E.164; null when the field is empty), and the
 * mistakes caught before sending so that each shows at its field: a phone
 * that is not a number, a lender user without a lender.
 */
export function checkPhoneAndLender(phone: string, roles: string[], lenderId: string): { phoneE164: string | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const phoneE164 = phone.trim() ? toE164(phone) : null;
  if (phone.trim() && phoneE164 === null) errors.phone = INVALID_PHONE_MESSAGE;
  if (roles.includes('lender') && !lenderId) errors.lenderId = 'A lender user needs a lender: choose one.';
  return { phoneE164, errors };
}

/** The phone for sign-in codes, typed as people write it; `hint` follows the example numbers. */
export function UserPhoneField({
  id,
  value,
  onChange,
  error,
  hint,
  autoComplete,
  placeholder,
}: {
  id: string;
  value: string;
  onChange: (phone: string) => void;
  error: string | undefined;
  hint: string;
  autoComplete?: string;
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Phone (for sign-in codes)</label>
      <input
        {...describedBy(id, error, true)}
        type="tel"
        maxLength={40}
        autoComplete={autoComplete}
        placeholder={placeholder}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      <span id={`${id}-hint`} className="hint">
        {PHONE_HINT} {hint}
      </span>
      <FieldMessage id={id} error={error} />
    </div>
  );
}

/** One checkbox per role. */
export function UserRolesField({ roles, onChange }: { roles: string[]; onChange: (roles: string[]) => void }) {
  const toggle = (role: string, on: boolean) => onChange(on ? [...new Set([...roles, role])] : roles.filter((item) => item !== role));
  return (
    <fieldset className="field">
      <legend>Roles</legend>
      {ROLE_NAMES.map((role) => (
        <label key={role} className="checkbox">
          <input type="checkbox" checked={roles.includes(role)} onChange={(event) => toggle(role, event.target.checked)} /> {role}
        </label>
      ))}
    </fieldset>
  );
}

/** The lender a lender user works for ("None": no lender). */
export function UserLenderField({
  id,
  lenders,
  value,
  onChange,
  error,
}: {
  id: string;
  lenders: Lender[];
  value: string;
  onChange: (lenderId: string) => void;
  error: string | undefined;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Lender</label>
      <select {...describedBy(id, error)} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">None</option>
        {lenders.map((lender) => (
          <option key={lender.id} value={lender.id}>
            {lender.name}
          </option>
        ))}
      </select>
      <FieldMessage id={id} error={error} />
    </div>
  );
}
