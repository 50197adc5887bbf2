import { readFile, rm } from 'fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../scratch/AtomicFile';

const journalSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  endpoint: z.string(),
  /** SigV4 region (cleanup aborts the upload with it). */
  region: z.string().optional(),
  size: z.number(),
  mtimeMs: z.number(),
  partSize: z.number(),
  uploadId: z.string().optional(),
  /** part number -> ETag and the md5 we computed when sending it */
  parts: z
    .record(z.string(), z.object({ etag: z.string(), md5: z.string() }))
    .default({}),
  completed: z
    .object({ etag: z.string(), sha256: z.string().optional(), at: z.string() })
    .optional(),
});

export type UploadJournalData = z.infer<typeof journalSchema>;

/**
 * Remembers an in-flight multipart upload next to the qcow2 (upload id, parts sent, their md5), so an
 * interrupted upload continues the same multipart upload instead of sending the disk again.
 */
export class UploadJournal {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    public data: UploadJournalData,
    /**
     * The saved journal this one replaces (the qcow2 or the destination changed) when it still has an
     * unfinished multipart upload: the caller aborts it, or it stays billed as an orphan.
     */
    readonly replaced?: UploadJournalData,
  ) {}

  /** The saved journal when it describes the same file and destination; otherwise a fresh one. */
  static async open(
    path: string,
    identity: Omit<UploadJournalData, 'parts' | 'uploadId' | 'completed'>,
  ): Promise<UploadJournal> {
    let saved: UploadJournalData | undefined;
    try {
      saved = journalSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    } catch {
      // no journal, or an unreadable one: start over
    }
    if (!saved) return new UploadJournal(path, { ...identity, parts: {} });
    const same = (Object.keys(identity) as Array<keyof typeof identity>).every(
      k => saved![k] === identity[k],
    );
    if (same) return new UploadJournal(path, saved);
    return new UploadJournal(
      path,
      { ...identity, parts: {} },
      saved.uploadId && !saved.completed ? saved : undefined,
    );
  }

  setUploadId(uploadId: string): Promise<void> {
    if (this.data.uploadId !== uploadId) {
      this.data = { ...this.data, uploadId, parts: {} };
    }
    return this.save();
  }

  recordPart(partNumber: number, etag: string, md5: string): Promise<void> {
    this.data.parts[String(partNumber)] = { etag, md5 };
    return this.save();
  }

  markCompleted(etag: string, sha256?: string): Promise<void> {
    this.data.completed = { etag, sha256, at: new Date().toISOString() };
    return this.save();
  }

  reset(): Promise<void> {
    this.data = {
      ...this.data,
      uploadId: undefined,
      parts: {},
      completed: undefined,
    };
    return this.save();
  }

  async remove(): Promise<void> {
    await this.writes;
    await rm(this.path, { force: true });
  }

  /** Writes are chained so concurrent part completions never interleave. */
  save(): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(this.data));
    this.writes = this.writes.then(() => writeJsonAtomic(this.path, snapshot));
    return this.writes;
  }
}
