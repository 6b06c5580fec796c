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
