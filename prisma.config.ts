import { defineConfig } from 'prisma/config';

// Prisma 7 reads connection settings for its CLI from here. `prisma generate` needs no
// database; the service itself connects through a driver adapter built in src/stores.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/identity' },
});
