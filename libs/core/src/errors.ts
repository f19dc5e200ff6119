/**
 * Base of every error Hashdock throws on purpose. `code` is stable for
 * programs; `message` names the thing at fault and what to do next.
 */
export class HashdockError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export function isHashdockError(value: unknown): value is HashdockError {
  return value instanceof HashdockError;
}

export class InvalidOptionError extends HashdockError {
  readonly option: string;
  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_OPTION', message, options);
    this.option = option;
  }
}

export class DockerfileNotFoundError extends HashdockError {
  readonly path: string;
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      'DOCKERFILE_NOT_FOUND',
      `Dockerfile not found: ${path}. Create it or point the "dockerfile" option at an existing file.`,
      options,
    );
    this.path = path;
  }
}

export class ContextOutsideWorkspaceError extends HashdockError {
  readonly path: string;
  /** `what`: which context (`Build context`, `Named build context api`). */
  constructor(path: string, workspaceRoot: string, what = 'Build context') {
    super(
      'CONTEXT_OUTSIDE_WORKSPACE',
      `${what} ${path} is outside the workspace ${workspaceRoot}. ` +
        'Hashdock only hashes files the workspace owns; move the context inside it.',
    );
    this.path = path;
  }
}

export class InvalidDockerignoreError extends HashdockError {
  readonly path: string;
  constructor(path: string, detail: string) {
    super('INVALID_DOCKERIGNORE', `${path}: ${detail}`);
    this.path = path;
  }
}

/** A COPY/ADD source that is not in the build context (missing, or left out by .dockerignore). */
export class MissingCopySourceError extends HashdockError {
  readonly dockerfile: string;
  readonly line: number;
  readonly source: string;
  readonly contextDir: string;
  readonly mounted: boolean;
  /** `hint`: what to do instead of the generic advice, when something better is known; `mounted`: a RUN bind mount's source. */
  /** `named`: the named build context (`--build-context`) the source is read from. */
  readonly named?: string;
  constructor(dockerfile: string, line: number, source: string, contextDir: string, hint?: string, options?: { cause?: unknown; mounted?: boolean; named?: string }) {
    super(
      'COPY_SOURCE_MISSING',
      `${dockerfile}:${line}: ${options?.mounted ? 'RUN --mount source' : 'COPY/ADD source'} "${source}" is not in ${options?.named !== undefined ? `the named context ${options.named}` : 'the build context'} ${contextDir} ` +
        `(it does not exist, or .dockerignore leaves it out). ${hint ?? 'Build what produces it first, or fix the path.'}`,
      options,
    );
    this.dockerfile = dockerfile;
    this.line = line;
    this.source = source;
    this.contextDir = contextDir;
    this.mounted = options?.mounted ?? false;
    if (options?.named !== undefined) this.named = options.named;
  }
}

/** The `stage` option (docker build --target) names no stage of the Dockerfile. */
export class UnknownStageError extends HashdockError {
  readonly dockerfile: string;
  readonly stage: string;
  constructor(dockerfile: string, stage: string, stages: readonly string[]) {
    super(
      'UNKNOWN_STAGE',
      `${dockerfile} has no stage named "${stage}" (option "stage", docker build --target). ` +
        (stages.length ? `Its named stages: ${stages.join(', ')}.` : 'It names no stage: write FROM <image> AS <name>.'),
    );
    this.dockerfile = dockerfile;
    this.stage = stage;
  }
}
