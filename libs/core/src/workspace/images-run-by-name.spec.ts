import { describe, expect, it } from 'vitest';
import { imagesRunByName, isDevelopmentVariant } from './images-run-by-name';

describe('imagesRunByName', () => {
  it('is the target of that name when the project has one, its other images built by their own names', () => {
    expect(imagesRunByName(['image-worker', 'image', 'image-dev'], 'image')).toEqual(['image']);
  });

  it('is every variant but the development ones when the Dockerfiles are all variants (makeplane/plane: Dockerfile.web, Dockerfile.dev)', () => {
    expect(imagesRunByName(['image-web', 'image-dev'], 'image')).toEqual(['image-web']);
    expect(imagesRunByName(['image-pnpm', 'image-bun'], 'image')).toEqual(['image-bun', 'image-pnpm']);
    expect(imagesRunByName(['container-docker-local', 'container-api', 'container-debug'], 'container')).toEqual(['container-api']);
    expect(imagesRunByName(['image-dev', 'image-development'], 'image')).toEqual([]);
  });

  it('reads development from a part of the variant, not from within a word', () => {
    expect(isDevelopmentVariant('image-api-dev', 'image')).toBe(true);
    expect(isDevelopmentVariant('image-devtools', 'image')).toBe(false);
    expect(isDevelopmentVariant('image-localstack', 'image')).toBe(false);
    expect(isDevelopmentVariant('image', 'image')).toBe(false);
  });
});
