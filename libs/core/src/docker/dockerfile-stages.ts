import { UnknownStageError } from '../errors';
import { instructionFlags, mountFields } from './context-reads';
import { declareGlobalArgs, substitute } from './dockerfile-from';
import { initialGlobalArgs } from './platform-args';
import { parseDockerfile } from './dockerfile-instructions';

/** BuildKit's rule for a stage name (after lower-casing): `FROM x AS <name>`, `--target <name>`. */
export const STAGE_NAME = /^[a-z][a-z0-9._-]*$/;

export interface DockerfileStage {
  /** Lower-cased, as BuildKit matches it; undefined for an unnamed stage. */
  name?: string;
  index: number;
  /** First and last line (1-based, inclusive) the stage spans. */
  firstLine: number;
  lastLine: number;
  /** What the stage refers to: its FROM image (global ARGs substituted, as BuildKit does), every `--from=` of COPY/ADD and of RUN mounts, as written. */
  references: string[];
}

/**
 * The stages of a Dockerfile, each with the line range it spans and what it
 * refers to. A FROM's global ARGs take the build args given, else their
 * defaults: `FROM ${BASE}` names a stage when BASE's value does.
 */
export function dockerfileStages(text: string, buildArgs: Record<string, string> = {}, platform?: string): DockerfileStage[] {
  const stages: DockerfileStage[] = [];
  const lineCount = text.replace(/^\uFEFF/, '').split(/\r?\n/).length;
  // Global ARGs (before the first FROM): BuildKit's automatic platform args, then a build arg's value, else the default.
  const args: Record<string, string | undefined> = initialGlobalArgs(buildArgs, platform);
  const { escape, instructions } = parseDockerfile(text);
  for (const instruction of instructions) {
    const { flags, body } = instructionFlags(instruction.rest);
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      declareGlobalArgs(args, body, buildArgs, escape);
      continue;
    }
    if (instruction.keyword === 'FROM') {
      const previous = stages.at(-1);
      if (previous) previous.lastLine = instruction.line - 1;
      const [image = '', as, name] = body.split(/\s+/);
      stages.push({
        ...(as?.toLowerCase() === 'as' && name ? { name: name.toLowerCase() } : {}),
        index: stages.length,
        firstLine: instruction.line,
        lastLine: lineCount,
        references: [substitute(image, args, escape)],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue;
    for (const flag of flags) {
      if ((instruction.keyword === 'COPY' || instruction.keyword === 'ADD') && flag.name === 'from' && flag.value) stage.references.push(flag.value);
      if (instruction.keyword === 'RUN' && flag.name === 'mount' && flag.value) {
        const from = mountFields(flag.value).get('from');
        if (from) stage.references.push(from);
      }
    }
  }
  return stages;
}

/**
 * The stages BuildKit builds for `--target <stage>`: that stage and, through
 * FROM, COPY --from and RUN --mount from=, every stage it reaches. A reference
 * built from a variable could name any stage, so it reaches them all.
 */
export function stagesReached(stages: readonly DockerfileStage[], target: DockerfileStage): Set<number> {
  const reached = new Set<number>();
  const pending = [target.index];
  while (pending.length) {
    const index = pending.pop()!;
    if (reached.has(index)) continue;
    reached.add(index);
    for (const reference of stages[index].references) {
      if (reference.includes('$')) return new Set(stages.map((stage) => stage.index));
      const named = /^\d+$/.test(reference) ? stages[Number(reference)] : stages.find((stage) => stage.name === reference.toLowerCase());
      if (named) pending.push(named.index);
    }
  }
  return reached;
}

/**
 * The Dockerfile as `docker build --target <stage>` reads it: the global ARGs
 * and the stages the target reaches, every other stage's lines blanked, so
 * line numbers still match the file. Bases, context reads, build args and the
 * builder are then worked out exactly as for a Dockerfile without a target.
 */
export function dockerfileForStage(text: string, stage: string, dockerfile: string, buildArgs: Record<string, string> = {}, platform?: string): string {
  const stages = dockerfileStages(text, buildArgs, platform);
  const target = stages.find((candidate) => candidate.name === stage.toLowerCase());
  if (!target) throw new UnknownStageError(dockerfile, stage, stages.flatMap((candidate) => (candidate.name ? [candidate.name] : [])));
  const reached = stagesReached(stages, target);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const candidate of stages) {
    if (reached.has(candidate.index)) continue;
    for (let line = candidate.firstLine; line <= candidate.lastLine; line++) lines[line - 1] = '';
  }
  return lines.join('\n');
}
