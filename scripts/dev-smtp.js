#!/usr/bin/env node
/*
 * A local SMTP server for trying email approvals in the demo portal: it
 * accepts every message on 127.0.0.1:1025 (no TLS, no auth), prints each one
 * with its links, and keeps it as .eml in packages/backend/data/mail.
 *
 *   yarn dev:smtp        (then enable appAccess.email in app-config.yaml)
 */
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');
const fs = require('fs');
const path = require('path');

const port = Number(process.env.SMTP_PORT ?? 1025);
const outDir = path.resolve(
  __dirname,
  '..',
  'packages',
  'backend',
  'data',
  'mail',
);
fs.mkdirSync(outDir, { recursive: true });

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', c => chunks.push(c));
    stream.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const mail = await simpleParser(raw);
      const file = path.join(outDir, `${Date.now()}-${session.id}.eml`);
      fs.writeFileSync(file, raw);
      const links = [
        ...new Set((mail.text ?? '').match(/https?:\/\/\S+/g) ?? []),
      ];
      console.log(
        `\n✉  ${mail.subject}\n   to: ${session.envelope.rcptTo
          .map(r => r.address)
          .join(', ')}\n   saved: ${file}`,
      );
      for (const link of links) console.log(`   ${link}`);
      callback();
    });
  },
});

server.listen(port, '127.0.0.1', () => {
  console.log(
    `dev SMTP server on 127.0.0.1:${port}; messages are printed here and saved in ${outDir}`,
  );
});
