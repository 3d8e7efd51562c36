import { render, waitFor } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the demo sign-in page before anyone is signed in', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };
    // The picker asks the backend for the example users.
    const fetchMock = jest.fn(async () => ({
      ok: true,
      status: 200,
      json: async () => ({
        items: [
          {
            name: 'jane.doe',
            displayName: 'Jane Doe',
            title: 'Software Engineer',
            groups: ['group:default/engineering'],
          },
        ],
      }),
    }));
    (global as any).fetch = fetchMock;

    const rendered = render(<App />);

    // The app boots asynchronously (config, APIs, lazy sign-in page) before the
    // picker asks for users; on a busy machine that takes well over waitFor's
    // default second.
    await waitFor(
      () => {
        expect(rendered.getByTestId('persona-jane.doe')).toHaveTextContent(
          'Jane Doe (jane.doe)',
        );
      },
      { timeout: 15_000 },
    );
    expect(fetchMock).toHaveBeenCalledWith(
      'http://localhost:7007/api/auth/demo-users',
    );
  });
});
