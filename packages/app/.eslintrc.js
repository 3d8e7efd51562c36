module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // The e2e runner is a plain Node script that reports on the console;
      // its `test(name, fn)` is its own harness, not Jest.
      files: ['e2e-tests/**'],
      rules: {
        'no-console': 0,
        'jest/no-done-callback': 0,
        'jest/expect-expect': 0,
      },
    },
  ],
});
