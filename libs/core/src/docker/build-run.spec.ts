import { describe, expect, it } from 'vitest';
import { buildRunIn } from './build-run';

const dockerfile = (...runs: string[]) => ['FROM node:24-alpine', 'WORKDIR /app', 'COPY . .', ...runs.map((run) => `RUN ${run}`)].join('\n');

describe('buildRunIn', () => {
  it.each([
    ['npm run build', 'npm run build'],
    ['pnpm install --frozen-lockfile && pnpm --filter web build', 'pnpm --filter web build'],
    ['pnpm --filter=./apps/api run build:prod', 'pnpm --filter=./apps/api run build:prod'],
    ['yarn workspace @acme/web build', 'yarn workspace @acme/web build'],
    ['yarn workspace web run build', 'yarn workspace web run build'],
    ['npm ci && npm run build -w web', 'npm run build -w web'],
    ['bun run build', 'bun run build'],
    ['pnpm turbo run build --filter=web...', 'pnpm turbo run build --filter=web...'],
    ['yarn next build', 'yarn next build'],
    ['turbo run build --filter=web...', 'turbo run build --filter=web...'],
    ['npx turbo build --filter=worker', 'npx turbo build --filter=worker'],
    ['npx nx build api --prod', 'npx nx build api --prod'],
    ['nx run api:build:production', 'nx run api:build:production'],
    ['pnpm exec nx run-many -t lint,build -p api', 'pnpm exec nx run-many -t lint,build -p api'],
    ['NODE_ENV=production npx next build', 'NODE_ENV=production npx next build'],
    ['--mount=type=cache,target=/root/.npm npm run build', 'npm run build'],
    ['npx tsc -p tsconfig.build.json', 'npx tsc -p tsconfig.build.json'],
    ['CGO_ENABLED=0 go build -o /out/app ./cmd/app', 'CGO_ENABLED=0 go build -o /out/app ./cmd/app'],
    ['./mvnw -B package -DskipTests', './mvnw -B package -DskipTests'],
    ['dotnet publish -c Release -o /out', 'dotnet publish -c Release -o /out'],
    ['["npm", "run", "build"]', 'npm run build'],
    // trigger.dev's: a secret read into a variable in front of the command.
    ['--mount=type=secret,id=sentry_auth_token SENTRY_AUTH_TOKEN=$(cat /run/secrets/sentry_auth_token) pnpm run build --filter=webapp...', 'SENTRY_AUTH_TOKEN=$(cat /run/secrets/sentry_auth_token) pnpm run build --filter=webapp...'],
    ['if [ -n "$CI" ]; then npm run build; fi', 'npm run build'],
    ['echo "a && b; npm run build" > notes.txt && yarn build', 'yarn build'],
  ])('RUN %s builds inside', (run, found) => {
    expect(buildRunIn(dockerfile('npm ci', run))).toBe(found);
  });

  it.each([
    'npm ci --omit=dev',
    'pnpm install --frozen-lockfile',
    'turbo prune --scope=web --docker',
    'pnpm deploy --filter=api --prod /prod/api',
    'apk add --no-cache build-base python3',
    'npm install -g pnpm',
    'yarn',
    'node dist/main.js --build',
    'npm run start',
    'pnpm --filter web run dev',
  ])('RUN %s does not', (run) => {
    expect(buildRunIn(dockerfile(run))).toBeUndefined();
  });

  it('reads here-documents and continuation lines', () => {
    expect(buildRunIn('FROM node:24\nRUN <<EOF\nnpm ci\nnpm run build\nEOF\n')).toBe('npm run build');
    expect(buildRunIn('FROM node:24\nRUN npm ci \\\n  && pnpm --filter api \\\n     build\n')).toBe('pnpm --filter api build');
  });

  it('a Dockerfile that copies what the host built builds nothing inside', () => {
    expect(buildRunIn('FROM node:24-alpine\nCOPY package.json ./\nRUN npm install --omit=dev\nCOPY dist ./dist\nCMD ["node", "dist/server.js"]\n')).toBeUndefined();
  });
});
