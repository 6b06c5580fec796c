import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` turns changes of src/db/schema.ts into a new SQL
// migration under migrations/ (committed; applied at start by `migrate`).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
