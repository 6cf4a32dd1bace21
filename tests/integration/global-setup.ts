// Creates a throw-away PostgreSQL database for this run when TEST_DATABASE_URL is set, and drops it after.
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of this run's own database on the real PostgreSQL, or "" when the tier is off. */
    pgTestUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    console.log('[integration] TEST_DATABASE_URL not set: real-PostgreSQL tier skipped, PGlite only.');
    project.provide('pgTestUrl', '');
    return;
  }
  const name = `citynerve_it_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  project.provide('pgTestUrl', url.toString());
  return async () => {
    const again = postgres(base, { max: 1, onnotice: () => {} });
    await again.unsafe(`drop database if exists ${name} with (force)`);
    await again.end();
  };
}
