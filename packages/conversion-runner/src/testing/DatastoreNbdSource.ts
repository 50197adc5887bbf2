import { Agent } from 'undici';
import { AllowedHosts } from '../export/AllowedHosts';
import { NbdDiskSource } from '../export/NbdDiskSource';
import { DatastoreHttpServer } from './DatastoreHttpServer';

/**
 * Serves one file as a datastore /folder URL (cookie required, Range honoured) and opens it as the
 * runner's random-access source: the server, the NBD source and how to stop both.
 */
export async function datastoreNbdSource(options: {
  file: string;
  cookie: string;
  dir: string;
  log: (line: string) => void;
}): Promise<{
  server: DatastoreHttpServer;
  source: NbdDiskSource;
  stop(): Promise<void>;
}> {
  const server = await DatastoreHttpServer.start({
    files: { 'vm/disk-flat.vmdk': options.file },
    cookie: options.cookie,
  });
  const dispatcher = new Agent();
  const source = await NbdDiskSource.start({
    url: new URL(server.folderUrl('vm/disk-flat.vmdk')),
    headers: { cookie: options.cookie },
    allowedHosts: new AllowedHosts(['127.0.0.1']),
    dispatcher,
    dir: options.dir,
    name: 'disk-0',
    log: options.log,
  }).catch(async error => {
    await server.stop();
    await dispatcher.close();
    throw error;
  });
  return {
    server,
    source,
    async stop() {
      await source.stop();
      await server.stop();
    },
  };
}
