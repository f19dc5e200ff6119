import { InvalidReferenceError } from './errors';

export const DOCKER_HUB_HOST = 'registry-1.docker.io';

// The grammar of distribution/reference.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

export interface Repository {
  /** Registry host as written (with port), Docker Hub's API host when omitted. */
  registry: string;
  /** Path inside the registry, `library/` added for Docker Hub official images. */
  path: string;
  /** The name as the user wrote it, normalized. */
  name: string;
}

function looksLikeDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

/** Parse `host[:port]/path` (no tag, no digest). */
export function parseRepository(name: string): Repository {
  if (!name || name.length > 255) throw new InvalidReferenceError(name, 'a repository name has 1 to 255 characters');
  const parts = name.split('/');
  let registry = DOCKER_HUB_HOST;
  if (parts.length > 1 && looksLikeDomain(parts[0])) {
    registry = parts.shift()!;
    if (!DOMAIN.test(registry)) throw new InvalidReferenceError(name, `"${registry}" is not a valid registry host`);
  }
  for (const component of parts) {
    if (!PATH_COMPONENT.test(component))
      throw new InvalidReferenceError(
        name,
        `path component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`,
      );
  }
  // docker.io/node is node: Docker Hub's name for an official image is library/<name>, however written.
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = DOCKER_HUB_HOST;
  if (registry === DOCKER_HUB_HOST && parts.length === 1) parts.unshift('library');
  return { registry, path: parts.join('/'), name };
}

export function validateTag(tag: string, context = tag): string {
  if (!TAG.test(tag))
    throw new InvalidReferenceError(context, `tag "${tag}" must be 1-128 of [A-Za-z0-9_.-] and not start with "." or "-"`);
  return tag;
}

export function validateDigest(digest: string): string {
  if (!DIGEST.test(digest)) throw new InvalidReferenceError(digest, 'not a digest of the form algorithm:hex');
  return digest;
}

export interface ImageReference extends Repository {
  tag?: string;
  digest?: string;
}

/** Parse a full reference `repo[:tag][@digest]`. */
export function parseReference(reference: string): ImageReference {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = validateDigest(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = validateTag(rest.slice(colon + 1), reference);
    rest = rest.slice(0, colon);
  }
  return { ...parseRepository(rest), tag, digest };
}

/** Whether a value is a sha256 content digest (`sha256:` and 64 lowercase hex digits): a name safe in a path too. */
export function isSha256Digest(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}
