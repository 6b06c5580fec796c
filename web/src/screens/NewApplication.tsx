// A new financing application (POST /api/applications, status submitted).
// The amount is typed in dollars and sent as integer cents.

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { parseAmountToCents, productLabel } from '../format';
import { portalMessage } from '../messages';
import { hrefOf, navigate } from '../router';
import { CURRENCIES, PRODUCT_TYPES, type Application, type Currency, type Lender, type ProductType } from '../types';
import { ErrorMessage, ScreenHeading } from '../ui';

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
    const amountRequested = parseAmountToCents(draft.amount);
    if (amountRequested === null) {
      setError('Enter the amount requested as a positive number, e.g. 25000 or 25000.50.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api<Application>('POST', '/api/applications', {
        body: {
          businessName: draft.businessName.trim(),
          contactName: draft.contactName.trim(),
          contactEmail: draft.contactEmail.trim(),
          contactPhone: draft.contactPhone.trim(),
          amountRequested,
          currency: draft.currency,
          productType: draft.productType,
          ...(draft.lenderId ? { lenderId: draft.lenderId } : {}),
        },
      });
      navigate({ name: 'application', id: created.id });
    } catch (caught) {
      setError(portalMessage(caught));
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
          <input id="businessName" required maxLength={200} value={draft.businessName} onChange={(event) => set('businessName')(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="contactName">Contact name</label>
          <input id="contactName" required maxLength={200} autoComplete="off" value={draft.contactName} onChange={(event) => set('contactName')(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="contactEmail">Contact email</label>
          <input id="contactEmail" type="email" required maxLength={254} autoComplete="off" value={draft.contactEmail} onChange={(event) => set('contactEmail')(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="contactPhone">Contact phone</label>
          <input
            id="contactPhone"
            type="tel"
            required
            maxLength={40}
            autoComplete="off"
            placeholder="+1 613 555 0123"
            value={draft.contactPhone}
            onChange={(event) => set('contactPhone')(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="amount">Amount requested</label>
          <input id="amount" inputMode="decimal" required placeholder="25000.00" value={draft.amount} onChange={(event) => set('amount')(event.target.value)} />
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
