// Runs s3rver in its own process: its ListObjectsV2 continuation tokens use DES, which Node 20's
// OpenSSL 3 only offers with --openssl-legacy-provider, a flag that must be set at process start.
// Usage: node s3rver-child.mjs <directory> <bucket>   (prints {"port": N} once listening)
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
