// The HTTP ceiling: a bare Fastify hello-world, booted as a child process
// exactly like the measured server, so both meet the same client on the same
// cores. Plain JavaScript: it must cost nothing but Fastify itself.
import Fastify from 'fastify';

const app = Fastify();
// On /api/health so that the bench waits for it as it waits for Boreal.
app.get('/api/health', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.close().then(() => process.exit(0)));
