import { describe, expect, it } from 'vitest';
import { makefileRecipes } from './makefile-recipes';

describe('makefileRecipes', () => {
  it('reads each rule\'s recipe lines as make runs them (hyperdx\'s Makefile, shortened)', () => {
    const text = [
      'IMAGE_VERSION := $(shell cat version)',
      'export CODE_VERSION = 2.0',
      '',
      '.PHONY: build-app',
      'build-app:',
      '\tdocker build . -f ./docker/hyperdx/Dockerfile \\',
      '\t\t--build-context hyperdx=./docker/hyperdx \\',
      '\t\t-t ${IMAGE_NAME}:${IMAGE_VERSION} \\',
      '\t\t--target prod',
      '',
      '# a comment',
      'dev-up lint: deps',
      '\t@echo "$${HOME}"',
      '\t-# a comment in a recipe',
      '\t+$(MAKE) -C sub',
      'VAR=1',
      '\techo orphan',
    ].join('\n');
    expect(makefileRecipes(text)).toEqual([
      { target: 'build-app', command: 'docker build . -f ./docker/hyperdx/Dockerfile  \t--build-context hyperdx=./docker/hyperdx  \t-t ${IMAGE_NAME}:${IMAGE_VERSION}  \t--target prod' },
      { target: 'dev-up', command: 'echo "${HOME}"' },
      { target: 'dev-up', command: '$(MAKE) -C sub' },
    ]);
  });
});
