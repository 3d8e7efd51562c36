import { ReactElement } from 'react';
import { Tooltip } from '@material-ui/core';

/**
 * A disabled control with a tooltip saying why. A disabled button gets no
 * pointer events, so the tooltip listens on a wrapper around it.
 */
export const WhyDisabled = ({
  reason,
  children,
}: {
  /** Why the control is disabled; without it the control is shown as is. */
  reason?: string;
  children: ReactElement;
}) =>
  reason ? (
    <Tooltip title={reason}>
      <span style={{ display: 'inline-block' }}>{children}</span>
    </Tooltip>
  ) : (
    children
  );
