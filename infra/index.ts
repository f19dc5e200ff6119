// Thin entry point: the program lives in program.ts, its parts in components/ and the core library.
import { liveDeps } from './live-deps';
import { runProgram } from './program';
import { readStackSettings } from './stack-settings';

const settings = readStackSettings();
const outputs = runProgram(settings, liveDeps(settings));

export const namespace = outputs.then((o) => o.namespace);
/** Each service's image, `repository@sha256:…`. */
export const images = outputs.then((o) => o.images);
