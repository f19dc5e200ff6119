import { Instruction, parseDockerfile } from './dockerfile-instructions';

/** ONBUILD triggers an image built FROM at a FROM line carries in: they run there, reading that build's context. */
export interface InheritedTriggers {
  /** The image named, for messages (`acme/base`). */
  image: string;
  /** Each trigger as written after ONBUILD (`COPY . /app`). */
  triggers: readonly string[];
}

/** The instruction an ONBUILD line (or a base image's trigger) holds, at `line`. */
export function triggerInstruction(text: string, line: number): Instruction | undefined {
  const [inner] = parseDockerfile(text).instructions;
  return inner && { ...inner, line, heredocs: [] };
}

/** The ONBUILD triggers of the image a Dockerfile builds (its last stage; cut it to a stage first), as written. */
export function onbuildTriggers(dockerfileText: string): string[] {
  const triggers: string[] = [];
  for (const instruction of parseDockerfile(dockerfileText).instructions) {
    if (instruction.keyword === 'FROM') triggers.length = 0;
    if (instruction.keyword === 'ONBUILD' && instruction.rest) triggers.push(instruction.rest);
  }
  return triggers;
}
