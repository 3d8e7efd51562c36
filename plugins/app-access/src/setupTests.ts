import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Component tests drive real user events through MUI; on a busy 2-core CI
// machine they need more than the 5 s / 1 s defaults to stay deterministic.
jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 10_000 });
