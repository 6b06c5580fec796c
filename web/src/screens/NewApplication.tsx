// A new financing application (POST /api/applications, status submitted).
// The amount is typed in dollars and sent as integer cents, the phone as
// people write it and sent in E.164. Errors show at their field, the
// server's (VALIDATION_FAILED errors[].path) as well as this form's own.

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { parseAmountToCents, productLabel } from '../format';
import { portalMessage } from '../messages';
import { CHECK_FIELDS, describedBy, fieldErrorsOf, type FieldErrors } from '../fields';
import { INVALID_PHONE_MESSAGE, PHONE_HINT, toE164 } from '../phone';
import { hrefOf, navigate } from '../router';
import { CURRENCIES, PRODUCT_TYPES, type Application, type Currency, type Lender, type NewApplicationBody, type ProductType } from '../types';
import { ErrorMessage, FieldMessage, ScreenHeading } from '../ui';

const LABELS: Record<string, string> = {
  businessName: 'Business name',
  contactName: 'Contact name',
  contactEmail: 'Contact email',
  contactPhone: 'Contact phone',
  amountRequested: 'Amount requested',
  currency: 'Currency',
  productType: 'Product',
  lenderId: 'Lender',
};

interface Draft {
  businessName: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  amount: string;
  currency: Currency;
  productType: ProductType;
  lenderId: string;
}

const EMPTY: Draft = {
  businessName: '',
  contactName: '',
  contactEmail: '',
  contactPhone: '',
  amount: '',
  currency: 'CAD',
  productType: 'term_loan',
  lenderId: '',
};

export function NewApplication() {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [lenders, setLenders] = useState<Lender[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ items: Lender[] }>('GET', '/api/rbac/lenders').then(
      (answer) => setLenders(answer.items),
      () => setLenders([]),
    );
  }, []);

  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((previous) => ({ ...previous, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const amountRequested = parseAmountToCents(draft.amount);
    const contactPhone = toE164(draft.contactPhone);
    const mine: FieldErrors = {};
    if (amountRequested === null) mine.amountRequested = 'Enter the amount requested as a positive number, e.g. 25000 or 25000.50.';
    if (contactPhone === null) mine.contactPhone = INVALID_PHONE_MESSAGE;
    setFieldErrors(mine);
    if (amountRequested === null || contactPhone === null) {
      setError(CHECK_FIELDS);
      return;
    }
    setBusy(true);
    try {
      const body: NewApplicationBody = {
        businessName: draft.businessName.trim(),
        contactName: draft.contactName.trim(),
        contactEmail: draft.contactEmail.trim(),
        contactPhone,
        amountRequested,
        currency: draft.currency,
        productType: draft.productType,
        ...(draft.lenderId ? { lenderId: draft.lenderId } : {}),
      };
      const created = await api<Application>('POST', '/api/applications', { body });
      navigate({ name: 'application', id: created.id });
    } catch (caught) {
      const errors = fieldErrorsOf(caught, LABELS);
      if (errors) setFieldErrors(errors);
      setError(errors ? CHECK_FIELDS : portalMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-application-title">
      <p>
        <a href={hrefOf({ name: 'applications' })}>← Applications</a>
      </p>
      <ScreenHeading id="new-application-title">New application</ScreenHeading>
      <form className="form-grid" onSubmit={submit}>
        <ErrorMessage>{error}</ErrorMessage>
        <div className="field">
          <label htmlFor="businessName">Business name</label>
          <input {...describedBy('businessName', fieldErrors.businessName)} required maxLength={200} value={draft.businessName} onChange={(event) => set('businessName')(event.target.value)} />
          <FieldMessage id="businessName" error={fieldErrors.businessName} />
        </div>
        <div className="field">
          <label htmlFor="contactName">Contact name</label>
          <input {...describedBy('contactName', fieldErrors.contactName)} required maxLength={200} autoComplete="off" value={draft.contactName} onChange={(event) => set('contactName')(event.target.value)} />
          <FieldMessage id="contactName" error={fieldErrors.contactName} />
        </div>
        <div className="field">
          <label htmlFor="contactEmail">Contact email</label>
          <input {...describedBy('contactEmail', fieldErrors.contactEmail)} type="email" required maxLength={254} autoComplete="off" value={draft.contactEmail} onChange={(event) => set('contactEmail')(event.target.value)} />
          <FieldMessage id="contactEmail" error={fieldErrors.contactEmail} />
        </div>
        <div className="field">
          <label htmlFor="contactPhone">Contact phone</label>
          <input
            {...describedBy('contactPhone', fieldErrors.contactPhone, true)}
            type="tel"
            required
            maxLength={40}
            autoComplete="off"
            placeholder="613-555-0142"
            value={draft.contactPhone}
            onChange={(event) => set('contactPhone')(event.target.value)}
          />
          <span id="contactPhone-hint" className="hint">
            {PHONE_HINT}
          </span>
          <FieldMessage id="contactPhone" error={fieldErrors.contactPhone} />
        </div>
        <div className="field">
          <label htmlFor="amount">Amount requested</label>
          <input {...describedBy('amount', fieldErrors.amountRequested)} inputMode="decimal" required placeholder="25000.00" value={draft.amount} onChange={(event) => set('amount')(event.target.value)} />
          <FieldMessage id="amount" error={fieldErrors.amountRequested} />
        </div>
        <div className="field">
          <label htmlFor="currency">Currency</label>
          <select id="currency" value={draft.currency} onChange={(event) => set('currency')(event.target.value as Currency)}>
            {CURRENCIES.map((currency) => (
              <option key={currency}>{currency}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="productType">Product</label>
          <select id="productType" value={draft.productType} onChange={(event) => set('productType')(event.target.value as ProductType)}>
            {PRODUCT_TYPES.map((product) => (
              <option key={product} value={product}>
                {productLabel(product)}
              </option>
            ))}
          </select>
        </div>
        {lenders.length > 0 && (
          <div className="field">
            <label htmlFor="lenderId">Lender (optional)</label>
            <select id="lenderId" value={draft.lenderId} onChange={(event) => set('lenderId')(event.target.value)}>
              <option value="">No lender yet</option>
              {lenders.map((lender) => (
                <option key={lender.id} value={lender.id}>
                  {lender.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create application'}
          </button>
        </div>
      </form>
    </section>
  );
}
