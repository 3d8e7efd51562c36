import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ProxiedSignInPage,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  configApiRef,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import {
  Avatar,
  Button,
  Grid,
  List,
  ListItem,
  ListItemAvatar,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';

/** Where the chosen demo user is remembered so a reload keeps the session. */
export const DEMO_USER_STORAGE_KEY = 'app-access:demo-user';

type DemoUser = {
  name: string;
  displayName: string;
  email?: string;
  title?: string;
  groups: string[];
};

const FEATURED = [
  { name: 'jane.doe', role: 'Employee (requester)' },
  { name: 'sam.manager', role: "Jane's manager (approver)" },
  { name: 'olivia.owner', role: 'App owner (approver)' },
  { name: 'ivan.admin', role: 'IT admin (settings, oversight)' },
  { name: 'fiona.fallback', role: 'Fallback approver' },
];

function initials(displayName: string) {
  return displayName
    .split(/\s+/)
    .map(part => part[0]?.toUpperCase() ?? '')
    .join('')
    .slice(0, 2);
}

/**
 * Demo sign-in for the example portal: pick any example user and be signed in
 * as them through the backend's `demo` auth provider. Never use in production.
 */
export const DemoSignInPage = (props: SignInPageProps) => {
  const configApi = useApi(configApiRef);
  const backendUrl = configApi.getString('backend.baseUrl');
  const [chosen, setChosen] = useState<string | undefined>(
    () => window.localStorage.getItem(DEMO_USER_STORAGE_KEY) ?? undefined,
  );
  const [filter, setFilter] = useState('');

  const users = useAsyncRetry(async (): Promise<DemoUser[]> => {
    const res = await fetch(`${backendUrl}/api/auth/demo-users`);
    if (!res.ok) {
      throw new Error(
        `Could not load the example users (HTTP ${res.status}). Is the demo provider configured in app-config.yaml?`,
      );
    }
    return (await res.json()).items;
  }, [backendUrl]);

  if (chosen) {
    return (
      <ProxiedSignInPage
        {...props}
        provider="demo"
        headers={{ 'x-demo-user': chosen }}
        ErrorComponent={({ error }) => (
          <Page themeId="home">
            <Header title="Demo sign-in failed" />
            <Content>
              <Alert severity="error">{error?.message}</Alert>
              <Button
                style={{ marginTop: 16 }}
                variant="contained"
                color="primary"
                onClick={() => {
                  window.localStorage.removeItem(DEMO_USER_STORAGE_KEY);
                  setChosen(undefined);
                }}
              >
                Pick another user
              </Button>
            </Content>
          </Page>
        )}
      />
    );
  }

  const signInAs = (name: string) => {
    window.localStorage.setItem(DEMO_USER_STORAGE_KEY, name);
    setChosen(name);
  };

  const byName = new Map((users.value ?? []).map(u => [u.name, u]));
  const needle = filter.trim().toLowerCase();
  const visible = (users.value ?? []).filter(
    u =>
      !needle ||
      u.name.includes(needle) ||
      u.displayName.toLowerCase().includes(needle) ||
      (u.title ?? '').toLowerCase().includes(needle),
  );

  return (
    <Page themeId="home">
      <Header title="App Access demo" subtitle="Sign in as any example user" />
      <Content>
        <Alert severity="warning" style={{ marginBottom: 16 }}>
          Demo sign-in: anyone can act as any user. It is only available in the
          development configuration and is refused in production.
        </Alert>
        {users.loading && <Progress />}
        {users.error && <ResponseErrorPanel error={users.error} />}
        {users.value && (
          <Grid container spacing={3}>
            <Grid item xs={12} md={5}>
              <InfoCard title="Personas">
                <List>
                  {FEATURED.filter(f => byName.has(f.name)).map(f => (
                    <ListItem
                      button
                      key={f.name}
                      data-testid={`persona-${f.name}`}
                      onClick={() => signInAs(f.name)}
                    >
                      <ListItemAvatar>
                        <Avatar>
                          {initials(byName.get(f.name)!.displayName)}
                        </Avatar>
                      </ListItemAvatar>
                      <ListItemText
                        primary={`${byName.get(f.name)!.displayName} (${
                          f.name
                        })`}
                        secondary={f.role}
                      />
                    </ListItem>
                  ))}
                </List>
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={7}>
              <InfoCard title={`All example users (${users.value.length})`}>
                <TextField
                  fullWidth
                  label="Find a user"
                  value={filter}
                  onChange={e => setFilter(e.target.value)}
                  inputProps={{ 'aria-label': 'Find a user' }}
                />
                {visible.length === 0 ? (
                  <Typography style={{ marginTop: 16 }}>
                    No user matches “{filter}”.
                  </Typography>
                ) : (
                  <List style={{ maxHeight: 480, overflow: 'auto' }}>
                    {visible.map(u => (
                      <ListItem
                        button
                        key={u.name}
                        data-testid={`user-${u.name}`}
                        onClick={() => signInAs(u.name)}
                      >
                        <ListItemAvatar>
                          <Avatar>{initials(u.displayName)}</Avatar>
                        </ListItemAvatar>
                        <ListItemText
                          primary={`${u.displayName} (${u.name})`}
                          secondary={[u.title, u.groups.join(', ')]
                            .filter(Boolean)
                            .join(' · ')}
                        />
                      </ListItem>
                    ))}
                  </List>
                )}
              </InfoCard>
            </Grid>
          </Grid>
        )}
      </Content>
    </Page>
  );
};
