import { JobKindDefinition } from './JobKindDefinition';
import { adaptLinuxJob } from './kinds/adaptLinuxJob';
import { cleanupJob } from './kinds/cleanupJob';
import { convertJob } from './kinds/convertJob';
import { ensureUefiJob } from './kinds/ensureUefiJob';
import { exportJob } from './kinds/exportJob';
import { trimJob } from './kinds/trimJob';
import { uploadJob } from './kinds/uploadJob';

/** The Linux pipeline's kinds. Windows kinds (clean_tools, inject_virtio, fix_bootloader) will be appended here. */
export const builtInJobKinds: readonly JobKindDefinition[] = [
  exportJob,
  trimJob,
  convertJob,
  adaptLinuxJob,
  ensureUefiJob,
  uploadJob,
  cleanupJob,
];
