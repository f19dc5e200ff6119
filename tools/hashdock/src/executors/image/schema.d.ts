import type { ImageTargetOptions } from '@hashdock/core';

export type ImageExecutorSchema = ImageTargetOptions;
