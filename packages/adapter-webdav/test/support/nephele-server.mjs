// Serves a folder with nephele (file-system adapter, no auth) on 127.0.0.1, port 0 by default,
// and prints `listening <port>` once ready. Started as a child process by the tests (nephele
// needs express, which has no types in this workspace). Based on ../../../../shared/recipes/nephele-server.mjs.
import express from 'express';
import nepheleServer from 'nephele';
import FileSystemAdapter from '@nephele/adapter-file-system';
import NoAuth from '@nephele/authenticator-none';

const [root, port = '0'] = process.argv.slice(2);
if (!root) throw new Error('usage: node nephele-server.mjs ROOT_DIR [PORT]');
const app = express();
// contentEtagMaxBytes: Infinity → content-based (CRC32C) etags, strong even right after a write.
app.use('/', nepheleServer({ adapter: new FileSystemAdapter({ root, contentEtagMaxBytes: Infinity }), authenticator: new NoAuth() }));
const server = app.listen(Number(port), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
