import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, CircularProgress, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  IntegrationStatus,
  ModuleTestResult,
} from '@app-access/plugin-app-access-common';
import { appAccessApiRef } from '../../../api';
import type { ModuleKind } from '../../../api/AppAccessApi';
import { getErrorMessage } from '../../../lib/errors';
import { notConfiguredNote } from '../lib/integrationNote';
import { MessageText } from '../../MessageText';

export type ModuleTestButtonProps = {
  kind: ModuleKind;
  /** Module id: okta-group, jira, zendesk, email, slack, msteams, … */
  moduleId: string;
  /** Human name, e.g. "Jira"; used in the button's accessible name. */
  name: string;
  /** Whether the backend has the module; otherwise says so instead of a button. */
  installed: boolean;
  /** What the module reported; one without its config says which keys to set. */
  status?: IntegrationStatus;
  /** What the test does, when it does more than check (e.g. messages you). */
  hint?: string;
};

/**
 * "Send test": asks the backend module to check its credentials and ids,
 * and shows what it said, word for word.
 */
export const ModuleTestButton = ({
  kind,
  moduleId,
  name,
  installed,
  status,
  hint,
}: ModuleTestButtonProps) => {
  const api = useApi(appAccessApiRef);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<ModuleTestResult>();

  const notConfigured = notConfiguredNote(status);
  if (notConfigured) {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid={`module-not-configured-${moduleId}`}
      >
        {name}: {notConfigured}.
      </Typography>
    );
  }

  if (!installed) {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid={`module-not-installed-${moduleId}`}
      >
        The {name} {kind} module is not installed in the backend.
      </Typography>
    );
  }

  const run = async () => {
    setTesting(true);
    setResult(undefined);
    try {
      setResult(await api.testModule(kind, moduleId));
    } catch (e) {
      setResult({ ok: false, message: getErrorMessage(e) });
    } finally {
      setTesting(false);
    }
  };

  return (
    <Box my={1}>
      <Button
        variant="outlined"
        size="small"
        onClick={run}
        disabled={testing}
        aria-label={`Send test (${name})`}
        startIcon={testing ? <CircularProgress size={14} /> : undefined}
      >
        {testing ? 'Testing…' : 'Send test'}
      </Button>
      {hint && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          data-testid={`module-test-hint-${moduleId}`}
        >
          {hint}
        </Typography>
      )}
      {result && (
        <Box mt={1}>
          <Alert
            severity={result.ok ? 'success' : 'error'}
            data-testid={`module-test-${moduleId}`}
          >
            <strong>{result.ok ? 'Works' : 'Failed'}:</strong>{' '}
            <MessageText text={result.message} />
            {result.details && result.details.length > 0 && (
              <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
                {result.details.map(d => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            )}
          </Alert>
        </Box>
      )}
    </Box>
  );
};
