import { instructionFlags } from '../docker/context-reads';
import { otherFrontend, parseDockerfile } from '../docker/dockerfile-instructions';

/** Instructions the registry builder applies itself; anything else needs docker. */
export const REGISTRY_INSTRUCTIONS = new Set(['ARG', 'ENV', 'WORKDIR', 'USER', 'EXPOSE', 'LABEL', 'CMD', 'ENTRYPOINT', 'STOPSIGNAL', 'HEALTHCHECK', 'VOLUME', 'COPY']);
const COPY_FLAGS = new Set(['chown', 'chmod', 'link']);

export type RegistryEligibility = { eligible: true } | { eligible: false; reason: string };

/**
 * Whether the registry builder can assemble this Dockerfile without docker:
 * one stage FROM an image (not scratch, no --platform), then only COPY from
 * the build context and instructions that change the image config. The
 * reason names the line that needs docker.
 */
export function registryEligibility(dockerfileText: string): RegistryEligibility {
  const { directives, instructions } = parseDockerfile(dockerfileText);
  const frontend = otherFrontend(directives);
  if (frontend) return { eligible: false, reason: frontend };
  const froms = instructions.filter((instruction) => instruction.keyword === 'FROM');
  if (froms.length !== 1) return { eligible: false, reason: froms.length ? `${froms.length} stages (FROM at lines ${froms.map((from) => from.line).join(', ')}); a multi-stage build needs docker` : 'no FROM' };
  const from = froms[0];
  const fromParts = instructionFlags(from.rest);
  if (fromParts.flags.length) return { eligible: false, reason: `line ${from.line} (FROM) has --${fromParts.flags[0].name}` };
  const [image, as, name] = fromParts.body.split(/\s+/);
  if (as && !(as.toLowerCase() === 'as' && name)) return { eligible: false, reason: `line ${from.line} (FROM) could not be read` };
  if (image.toLowerCase() === 'scratch') return { eligible: false, reason: `line ${from.line} builds FROM scratch` };
  let inStage = false;
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      inStage = true;
      continue;
    }
    if (!inStage) {
      if (instruction.keyword !== 'ARG') return { eligible: false, reason: `line ${instruction.line} (${instruction.keyword}) comes before FROM` };
      continue;
    }
    if (!REGISTRY_INSTRUCTIONS.has(instruction.keyword)) return { eligible: false, reason: `line ${instruction.line} (${instruction.keyword}) needs docker` };
    // The registry builder expands $X, ${X}, ${X:-w}, ${X-w}, ${X:+w} and ${X+w}; the others (${X%pattern}, ${X:?message}…) are BuildKit's.
    const substitution = /\$\{\w+(:?[?#%/])/.exec(instruction.rest);
    if (substitution) return { eligible: false, reason: `line ${instruction.line} (${instruction.keyword}) uses the substitution ${substitution[0]}…}, which needs docker` };
    if (instruction.keyword === 'COPY') {
      const { flags } = instructionFlags(instruction.rest);
      const other = flags.find((flag) => !COPY_FLAGS.has(flag.name));
      if (other) return { eligible: false, reason: `line ${instruction.line} (COPY --${other.name}) needs docker` };
      if (instruction.heredocs.length) return { eligible: false, reason: `line ${instruction.line} (COPY of a here-document) needs docker` };
    }
  }
  return { eligible: true };
}
