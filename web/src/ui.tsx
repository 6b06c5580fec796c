// Small shared pieces: error and status messages that assistive technology
// announces, and the status badge.

import { useEffect, useRef, type ReactNode } from 'react';
import { statusLabel } from './format';
import type { ApplicationStatus } from './types';

/** An error message: role=alert is announced as soon as it appears. */
export function ErrorMessage({ children, id }: { children: ReactNode; id?: string }) {
  if (!children) return null;
  return (
    <p className="message message-error" role="alert" id={id}>
      {children}
    </p>
  );
}

/** A success or progress message, announced politely. */
export function StatusMessage({ children }: { children: ReactNode }) {
  return (
    <p className="message message-status" role="status">
      {children}
    </p>
  );
}

export function StatusBadge({ status }: { status: ApplicationStatus }) {
  return <span className={`badge badge-${status}`}>{statusLabel(status)}</span>;
}

/** Moves keyboard focus to a screen's heading when the screen opens, so screen readers follow navigation. */
export function ScreenHeading({ children, id }: { children: ReactNode; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref} id={id}>
      {children}
    </h1>
  );
}

/** A field's error, under its input; the input points here with aria-describedby (fields.ts describedBy). */
export function FieldMessage({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <span className="field-error" id={`${id}-error`}>
      {error}
    </span>
  );
}

/**
 * A modal question before an action that cannot be undone. The native
 * <dialog> traps focus, closes on Escape and returns focus to the button that
 * opened it.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-title" onCancel={onCancel}>
      <h2 id="confirm-title">{title}</h2>
      {children}
      <div className="row">
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
