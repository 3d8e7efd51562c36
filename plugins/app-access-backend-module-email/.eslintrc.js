module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // src/testing holds the shared test SMTP server: test-only code that
      // imports devDependencies (smtp-server, mailparser) and is never
      // reachable from src/index.ts.
      files: ['src/testing/**'],
      rules: { '@backstage/no-undeclared-imports': 'off' },
    },
  ],
});
