import { useCallback, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  alertApiRef,
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Chip,
  Grid,
  List,
  ListItem,
  ListItemText,
  makeStyles,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';

/** What GET /api/app-access-sandbox/state answers (packages/backend/src/sandbox). */
export type SandboxState = {
  ticketing: 'jira' | 'zendesk';
  mailbox: Array<{
    id: number;
    from: string;
    to: string[];
    subject: string;
    at: string;
    html?: string;
    text?: string;
  }>;
  slack: Array<{
    channel: string;
    ts: string;
    to: string;
    text?: string;
    buttons: Array<{ actionId: string; text: string; style?: string }>;
    edited: boolean;
  }>;
  slackModals: Array<{
    id: string;
    title: string;
    to: string;
    inputs: Array<{ blockId: string; actionId: string; label: string }>;
  }>;
  teams: Array<{ at: string; card: any }>;
  /** The App Access bot's messages in each person's 1:1 Teams chat, oldest first. */
  teamsBot?: Array<{
    id: string;
    to: string;
    name: string;
    text?: string;
    card?: any;
    edited: boolean;
    buttons: Array<{ verb: string; title: string; style?: string }>;
    inputs: Array<{ id: string; label: string }>;
  }>;
  tickets: Array<{
    system: 'jira' | 'zendesk';
    id: string;
    title: string;
    description: string;
    status: string;
    done: boolean;
    requester?: string;
    at: string;
  }>;
  okta: {
    groups: Array<{ id: string; name: string; members: string[] }>;
    apps: Array<{
      id: string;
      label: string;
      users: Array<{ login: string; status: string }>;
    }>;
  };
};

const useStyles = makeStyles(theme => ({
  sandboxChip: {
    backgroundColor: theme.palette.warning?.main ?? '#ff9800',
    color: theme.palette.common.black,
    fontWeight: 700,
    marginRight: theme.spacing(1),
  },
  mail: {
    width: '100%',
    minHeight: 320,
    border: `1px solid ${theme.palette.divider}`,
    background: '#fff',
  },
  teamsChat: {
    borderLeft: `4px solid #5B5FC7`,
    padding: theme.spacing(1, 2),
    marginBottom: theme.spacing(2),
    overflowWrap: 'anywhere',
  },
  slackMessage: {
    borderLeft: `4px solid #4A154B`,
    padding: theme.spacing(1, 2),
    marginBottom: theme.spacing(2),
    overflowWrap: 'anywhere',
  },
  card: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: 4,
    padding: theme.spacing(1, 2),
    marginBottom: theme.spacing(2),
    overflowWrap: 'anywhere',
  },
  pre: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    fontSize: '0.8rem',
    maxHeight: 160,
    overflow: 'auto',
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
}));

export function useSandboxApi() {
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  return useCallback(
    async (path: string, init?: RequestInit) => {
      const base = await discovery.getBaseUrl('app-access-sandbox');
      const res = await fetch(`${base}${path}`, {
        ...init,
        headers: { 'Content-Type': 'application/json', ...init?.headers },
      });
      if (!res.ok) {
        let message = `${res.status} ${res.statusText}`;
        try {
          message = (await res.json()).error?.message ?? message;
        } catch {
          // not JSON
        }
        throw new Error(message);
      }
      return res.status === 204 ? undefined : res.json();
    },
    [discovery, fetch],
  );
}

const SandboxLabel = () => {
  const classes = useStyles();
  return <Chip size="small" label="Sandbox" className={classes.sandboxChip} />;
};

const Section = ({
  title,
  subheader,
  children,
  testId,
}: {
  title: string;
  subheader: string;
  children: React.ReactNode;
  testId: string;
}) => (
  <Card data-testid={testId}>
    <CardHeader
      title={
        <>
          <SandboxLabel />
          {title}
        </>
      }
      subheader={subheader}
    />
    <CardContent>{children}</CardContent>
  </Card>
);

/** An email as the recipient sees it; its links open in a new tab, as from a mail client. */
const MailMessage = ({ mail }: { mail: SandboxState['mailbox'][number] }) => {
  const classes = useStyles();
  const html = mail.html
    ? `<base target="_blank">${mail.html}`
    : `<pre style="white-space:pre-wrap">${(mail.text ?? '')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')}</pre>`;
  return (
    <Box mb={3} data-testid="sandbox-mail">
      <Typography variant="subtitle2">{mail.subject}</Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        To {mail.to.join(', ')} · from {mail.from} ·{' '}
        {new Date(mail.at).toLocaleString()}
      </Typography>
      <iframe
        title={`Sandbox email: ${mail.subject}`}
        className={classes.mail}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        srcDoc={html}
      />
    </Box>
  );
};

/** The emoji codes App Access's Slack messages use, as Slack shows them. */
const SLACK_EMOJI: Record<string, string> = {
  bell: '🔔',
  hourglass_flowing_sand: '⏳',
  inbox_tray: '📥',
  no_entry: '⛔',
  tada: '🎉',
  warning: '⚠️',
  white_check_mark: '✅',
};

function slackText(text: string | undefined): string {
  return (text ?? '').replace(
    /:([a-z_]+):/g,
    (code, name: string) => SLACK_EMOJI[name] ?? code,
  );
}

function cardText(node: any, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) cardText(n, out);
  } else if (node && typeof node === 'object') {
    if (node.type === 'TextBlock' && typeof node.text === 'string') {
      out.push(node.text);
    }
    if (node.type === 'FactSet' && Array.isArray(node.facts)) {
      for (const f of node.facts) out.push(`${f.title}: ${f.value}`);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'actions') cardText(value, out);
    }
  }
  return out;
}

function cardLinks(node: any, out: Array<{ title: string; url: string }> = []) {
  if (Array.isArray(node)) {
    for (const n of node) cardLinks(n, out);
  } else if (node && typeof node === 'object') {
    if (node.type === 'Action.OpenUrl' && typeof node.url === 'string') {
      out.push({ title: String(node.title ?? node.url), url: node.url });
    }
    for (const value of Object.values(node)) cardLinks(value, out);
  }
  return out;
}

const SandboxContent = () => {
  const classes = useStyles();
  const call = useSandboxApi();
  const alertApi = useApi(alertApiRef);
  const state = useAsyncRetry(
    async () => (await call('/state')) as SandboxState,
    [call],
  );
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  // The vendors change on their own (the modules post, IT resolves):
  // look again every few seconds.
  const { retry } = state;
  useEffect(() => {
    const timer = setInterval(retry, 4000);
    return () => clearInterval(timer);
  }, [retry]);

  const act = async (what: string, path: string, body?: object) => {
    setBusy(true);
    try {
      const result = await call(path, {
        method: 'POST',
        body: JSON.stringify(body ?? {}),
      });
      if (result && typeof result.status === 'number' && result.status >= 400) {
        throw new Error(`App Access answered ${result.status}`);
      }
      alertApi.post({
        message: `Sandbox: ${what}`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e) {
      alertApi.post({
        message: `Sandbox: ${what} failed: ${(e as Error).message}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
      retry();
    }
  };

  if (state.loading && !state.value) return <Progress />;
  if (state.error && !state.value)
    return <ResponseErrorPanel error={state.error} />;
  const s = state.value!;
  const dms = [...s.slack].reverse();
  const teamsChats = [...(s.teamsBot ?? [])].reverse();
  const mails = [...s.mailbox].reverse();
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Alert severity="warning">
          Sandbox: nothing on this page is a real vendor. These are local
          stand-ins for Okta,{' '}
          {s.ticketing === 'jira' ? 'Jira Service Management' : 'Zendesk'},
          Slack, Microsoft Teams and a mail server, started by the example
          backend (appAccess.sandbox.enabled) and used by the real App Access
          modules. Choose how approvers are asked in Settings › Default settings
          (portal, email, Slack or Teams).
        </Alert>
      </Grid>
      <Grid item xs={12} lg={6}>
        <Section
          testId="sandbox-mailbox"
          title="Mailbox"
          subheader="Every email App Access sent, with its working Approve / Deny links"
        >
          {mails.length === 0 && (
            <Typography variant="body2">No email yet.</Typography>
          )}
          {mails.map(m => (
            <MailMessage key={m.id} mail={m} />
          ))}
        </Section>
      </Grid>
      <Grid item xs={12} lg={6}>
        <Section
          testId="sandbox-slack"
          title="Slack direct messages"
          subheader="A click is sent to App Access's Slack endpoint, signed as Slack signs it"
        >
          {s.slackModals.map(modal => (
            <Box
              key={modal.id}
              className={classes.card}
              data-testid="sandbox-slack-modal"
            >
              <Typography variant="subtitle2">
                {modal.title} (dialog open for {modal.to})
              </Typography>
              {modal.inputs.map(input => (
                <TextField
                  key={input.blockId}
                  label={input.label}
                  fullWidth
                  margin="dense"
                  value={reasons[`${modal.id}/${input.blockId}`] ?? ''}
                  onChange={e =>
                    setReasons(r => ({
                      ...r,
                      [`${modal.id}/${input.blockId}`]: e.target.value,
                    }))
                  }
                />
              ))}
              <Button
                variant="contained"
                color="primary"
                disabled={busy}
                onClick={() =>
                  act(
                    'dialog submitted',
                    `/slack/views/${encodeURIComponent(modal.id)}/submit`,
                    {
                      values: Object.fromEntries(
                        modal.inputs.map(i => [
                          i.blockId,
                          reasons[`${modal.id}/${i.blockId}`] ?? '',
                        ]),
                      ),
                    },
                  )
                }
              >
                Submit
              </Button>
            </Box>
          ))}
          {dms.length === 0 && (
            <Typography variant="body2">No Slack message yet.</Typography>
          )}
          {dms.map(m => (
            <Box
              key={`${m.channel}/${m.ts}`}
              className={classes.slackMessage}
              data-testid="sandbox-slack-message"
            >
              <Typography variant="caption" color="textSecondary">
                DM to {m.to}
                {m.edited ? ' · edited' : ''}
              </Typography>
              <Typography variant="body2">{slackText(m.text)}</Typography>
              {m.buttons.length > 0 && (
                <Box className={classes.actions}>
                  {m.buttons.map(b => (
                    <Button
                      key={b.actionId}
                      size="small"
                      variant={b.style === 'primary' ? 'contained' : 'outlined'}
                      color={b.style === 'danger' ? 'secondary' : 'primary'}
                      disabled={busy}
                      onClick={() =>
                        act(`${b.text} clicked in Slack`, '/slack/click', {
                          channel: m.channel,
                          ts: m.ts,
                          actionId: b.actionId,
                        })
                      }
                    >
                      {b.text}
                    </Button>
                  ))}
                </Box>
              )}
            </Box>
          ))}
        </Section>
      </Grid>
      <Grid item xs={12} lg={6}>
        <Section
          testId="sandbox-tickets"
          title={`Help desk (${
            s.ticketing === 'jira' ? 'Jira Service Management' : 'Zendesk'
          })`}
          subheader="Fulfilment tickets; resolve one as IT would, and App Access marks the request fulfilled at its next look"
        >
          {s.tickets.length === 0 && (
            <Typography variant="body2">No ticket yet.</Typography>
          )}
          {[...s.tickets].reverse().map(t => (
            <Box
              key={`${t.system}/${t.id}`}
              className={classes.card}
              data-testid="sandbox-ticket"
            >
              <Typography variant="subtitle2">
                {t.id}: {t.title}
              </Typography>
              <Typography variant="caption" color="textSecondary">
                {t.status}
                {t.requester ? ` · for ${t.requester}` : ''}
              </Typography>
              <Typography component="pre" className={classes.pre}>
                {t.description}
              </Typography>
              {!t.done && (
                <Button
                  size="small"
                  variant="contained"
                  color="primary"
                  disabled={busy}
                  onClick={() =>
                    act(
                      `${t.id} resolved`,
                      `/tickets/${t.system}/${encodeURIComponent(
                        t.id,
                      )}/resolve`,
                    )
                  }
                >
                  Resolve
                </Button>
              )}
            </Box>
          ))}
        </Section>
      </Grid>
      <Grid item xs={12} lg={6}>
        <Section
          testId="sandbox-teams"
          title="Microsoft Teams channel"
          subheader="Cards posted to the channel's Workflows webhook"
        >
          {s.teams.length === 0 && (
            <Typography variant="body2">No Teams card yet.</Typography>
          )}
          {[...s.teams].reverse().map((c, i) => (
            <Box
              key={`${c.at}-${i}`}
              className={classes.card}
              data-testid="sandbox-teams-card"
            >
              {cardText(c.card).map((line, j) => (
                <Typography key={j} variant="body2">
                  {line}
                </Typography>
              ))}
              <Box className={classes.actions}>
                {cardLinks(c.card).map(l => (
                  <Button
                    key={l.url}
                    size="small"
                    variant="outlined"
                    href={l.url}
                    target="_blank"
                    rel="noreferrer"
                  >
                    {l.title}
                  </Button>
                ))}
              </Box>
            </Box>
          ))}
        </Section>
      </Grid>
      <Grid item xs={12} lg={6}>
        <Section
          testId="sandbox-teams-bot"
          title="Microsoft Teams chats with the App Access bot"
          subheader="Each person's 1:1 chat; a click is sent to the bot's messaging endpoint as an Action.Execute invoke, with a token signed by the sandbox's Bot Framework issuer"
        >
          {teamsChats.length === 0 && (
            <Typography variant="body2">
              No message from the Teams bot yet (choose Microsoft Teams in
              Settings › Default settings to ask approvers there).
            </Typography>
          )}
          {teamsChats.map(m => (
            <Box
              key={m.id}
              className={classes.teamsChat}
              data-testid="sandbox-teams-chat"
            >
              <Typography variant="caption" color="textSecondary">
                Chat with {m.name} ({m.to}){m.edited ? ' · updated' : ''}
              </Typography>
              {m.text && <Typography variant="body2">{m.text}</Typography>}
              {cardText(m.card).map((line, j) => (
                <Typography key={j} variant="body2">
                  {line}
                </Typography>
              ))}
              {m.inputs.map(input => (
                <TextField
                  key={input.id}
                  id={`sandbox-teams-${m.id}-${input.id}`.replace(
                    /[^A-Za-z0-9_-]/g,
                    '-',
                  )}
                  label={input.label}
                  fullWidth
                  margin="dense"
                  multiline
                  value={reasons[`teams/${m.id}/${input.id}`] ?? ''}
                  onChange={e =>
                    setReasons(r => ({
                      ...r,
                      [`teams/${m.id}/${input.id}`]: e.target.value,
                    }))
                  }
                />
              ))}
              <Box className={classes.actions}>
                {m.buttons.map(b => (
                  <Button
                    key={b.verb}
                    size="small"
                    variant={b.style === 'positive' ? 'contained' : 'outlined'}
                    color={b.style === 'destructive' ? 'secondary' : 'primary'}
                    disabled={busy}
                    onClick={() =>
                      act(`${b.title} clicked in Teams`, '/teams/click', {
                        messageId: m.id,
                        verb: b.verb,
                        inputs: Object.fromEntries(
                          m.inputs.map(i => [
                            i.id,
                            reasons[`teams/${m.id}/${i.id}`] ?? '',
                          ]),
                        ),
                      })
                    }
                  >
                    {b.title}
                  </Button>
                ))}
                {cardLinks(m.card).map(l => (
                  <Button
                    key={l.url}
                    size="small"
                    href={l.url}
                    target="_blank"
                    rel="noreferrer"
                  >
                    {l.title}
                  </Button>
                ))}
              </Box>
            </Box>
          ))}
        </Section>
      </Grid>
      <Grid item xs={12}>
        <Section
          testId="sandbox-okta"
          title="Okta"
          subheader="Groups with members, and the accounts apps provisioned"
        >
          <Grid container spacing={2}>
            <Grid item xs={12} md={6}>
              <Typography variant="subtitle2">Groups with members</Typography>
              <List dense>
                {s.okta.groups
                  .filter(g => g.members.length > 0)
                  .map(g => (
                    <ListItem key={g.id} data-testid="sandbox-okta-group">
                      <ListItemText
                        primary={g.name}
                        secondary={g.members.join(', ')}
                      />
                    </ListItem>
                  ))}
              </List>
              <Typography variant="caption" color="textSecondary">
                {s.okta.groups.filter(g => g.members.length === 0).length} more
                groups without members
              </Typography>
            </Grid>
            <Grid item xs={12} md={6}>
              <Typography variant="subtitle2">App accounts</Typography>
              <List dense>
                {s.okta.apps
                  .filter(a => a.users.length > 0)
                  .map(a => (
                    <ListItem key={a.id}>
                      <ListItemText
                        primary={a.label}
                        secondary={a.users
                          .map(
                            u =>
                              `${u.login} (${u.status.toLocaleLowerCase(
                                'en-US',
                              )})`,
                          )
                          .join(', ')}
                      />
                    </ListItem>
                  ))}
              </List>
            </Grid>
          </Grid>
        </Section>
      </Grid>
    </Grid>
  );
};

/** The example portal's Sandbox page: what the fake vendors hold. App Access admins only. */
export const SandboxPage = () => {
  const call = useSandboxApi();
  const status = useAsyncRetry(
    async () => (await call('/status')) as { enabled: boolean; admin: boolean },
    [call],
  );
  return (
    <Page themeId="tool">
      <Header
        title="Sandbox"
        subtitle="Local stand-ins of the vendors App Access talks to (example portal only)"
      />
      <Content>
        {status.loading && <Progress />}
        {status.error && <ResponseErrorPanel error={status.error} />}
        {status.value && !status.value.enabled && (
          <WarningPanel title="The vendor sandbox is off">
            Set appAccess.sandbox.enabled: true in app-config.yaml and restart
            the backend (never with NODE_ENV=production).
          </WarningPanel>
        )}
        {status.value?.enabled && !status.value.admin && (
          <WarningPanel title="The sandbox is for App Access admins">
            Sign in as an App Access admin (ivan.admin in the example org).
          </WarningPanel>
        )}
        {status.value?.enabled && status.value.admin && <SandboxContent />}
      </Content>
    </Page>
  );
};
