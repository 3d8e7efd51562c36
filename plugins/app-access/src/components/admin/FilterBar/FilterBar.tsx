import { FormEvent, ReactNode } from 'react';
import { Box, Button, Grid, GridSize } from '@material-ui/core';

export type FilterFieldProps = {
  xs?: GridSize;
  sm?: GridSize;
  md?: GridSize;
  children: ReactNode;
};

/** One filter of a FilterBar, in the bar's grid. */
export const FilterField = ({
  xs = 12,
  sm = 6,
  md = 3,
  children,
}: FilterFieldProps) => (
  <Grid item xs={xs} sm={sm} md={md}>
    {children}
  </Grid>
);

export type FilterBarProps = {
  /** The bar's accessible name, e.g. "Audit filters". */
  label: string;
  /**
   * With it, the filters are a form applied with "Apply filters" (or Enter);
   * without it they apply as they change and the bar only offers to clear them.
   */
  onApply?: () => void;
  onClear: () => void;
  /** E.g. while no filter is set. */
  clearDisabled?: boolean;
  /** The width of the buttons' cell at md and up (default 12: a row of their own). */
  actionsMd?: GridSize;
  /** FilterFields. */
  children: ReactNode;
};

/**
 * The filters above an admin list: the fields in a grid, then the buttons
 * ("Apply filters" and "Clear", or "Clear filters" for live filters).
 */
export const FilterBar = ({
  label,
  onApply,
  onClear,
  clearDisabled,
  actionsMd = 12,
  children,
}: FilterBarProps) => {
  // Buttons next to the fields line up with their bottom; below them, the
  // fields stay top-aligned (an error under one does not move the others).
  const bar = (
    <Grid
      container
      spacing={2}
      alignItems={actionsMd === 12 ? undefined : 'flex-end'}
    >
      {children}
      <Grid item xs={12} md={actionsMd}>
        <Box display="flex" style={{ gap: 8, whiteSpace: 'nowrap' }}>
          {onApply && (
            <Button type="submit" variant="contained" color="primary">
              Apply filters
            </Button>
          )}
          <Button
            size={onApply ? 'medium' : 'small'}
            onClick={onClear}
            disabled={clearDisabled}
          >
            {onApply ? 'Clear' : 'Clear filters'}
          </Button>
        </Box>
      </Grid>
    </Grid>
  );
  if (onApply) {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      onApply();
    };
    return (
      <form onSubmit={submit} noValidate aria-label={label}>
        {bar}
      </form>
    );
  }
  return (
    <Box role="search" aria-label={label} mb={2}>
      {bar}
    </Box>
  );
};
