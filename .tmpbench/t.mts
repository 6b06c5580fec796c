import { PGlite } from '@electric-sql/pglite';
import { wrapPglite } from '../src/db/connect.ts';
let t = Date.now();
const c = new PGlite(); await c.waitReady; console.log('init', Date.now() - t); t = Date.now();
await wrapPglite(c).migrate(); console.log('migrate', Date.now() - t); t = Date.now();
const k = await c.clone(); console.log('clone', Date.now() - t); t = Date.now();
const d = await c.dumpDataDir('none'); console.log('dump', Date.now() - t, d.size); t = Date.now();
const e = new PGlite({ loadDataDir: d }); await e.waitReady; console.log('load', Date.now() - t); t=Date.now();
