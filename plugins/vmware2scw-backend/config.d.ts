export interface Config {
  /**
   * vmware2scw: migration of vSphere VMs to Scaleway Instances. Validated again at start-up: an invalid
   * value stops the backend with the key and what is expected.
   */
  vmware2scw?: {
    /** vCenters to read inventory from and export disks out of. */
    vcenters?: Array<{
      /** Short DNS-safe id, used in entity annotations and plans (e.g. `vc-paris`). */
      id: string;
      /** `https://vcenter.example.com` or its `/sdk` endpoint. */
      url: string;
      username: string;
      /**
       * Password; set it from the environment, e.g. `${VCENTER_PASSWORD}`.
       * @visibility secret
       */
      password: string;
      /**
       * Accept a certificate that no trusted CA signed, provided its SHA-256 fingerprint equals
       * `thumbprint` (TLS verification stays on otherwise).
       */
      insecure?: boolean;
      /**
       * SHA-256 fingerprint of the vCenter certificate (64 hex digits, colons allowed). When set, every
       * connection checks it, with or without `insecure`.
       */
      thumbprint?: string;
    }>;

    /** Scaleway account that receives the instances. */
    scaleway?: {
      /**
       * API access key, e.g. `${SCW_ACCESS_KEY}`.
       * @visibility secret
       */
      accessKey: string;
      /**
       * API secret key, e.g. `${SCW_SECRET_KEY}`.
       * @visibility secret
       */
      secretKey: string;
      organizationId?: string;
      projectId: string;
      /** Zone of the instances, e.g. `fr-par-1`. */
      defaultZone: string;
      /** Region of the transit bucket; defaults to the zone's region, and must equal it. */
      s3Region?: string;
      /** Object Storage bucket that carries qcow2 images to the Block Storage import. */
      transitBucket: string;
      /** Object Storage endpoint override (tests, private endpoints). */
      s3Endpoint?: string;
      /**
       * Access key of the transit bucket, when it is not accessKey (another S3 service, tests).
       * @visibility secret
       */
      s3AccessKey?: string;
      /**
       * Secret key of the transit bucket, when it is not secretKey.
       * @visibility secret
       */
      s3SecretKey?: string;
      /** Scaleway API URL override (tests), without trailing slash. */
      apiUrl?: string;
      /** What the verify stage does. */
      verify?: {
        /** Create a server from the image and check it (default true); false: only check the image. */
        createServer?: boolean;
        /** The IP the server must have: public (default), private or none. */
        ip?: 'public' | 'private' | 'none';
      };
    };

    /** Conversion runners and how they convert. */
    conversion?: {
      runners?: Array<{
        id: string;
        url: string;
        /**
         * Bearer token the runner expects, e.g. `${RUNNER_TOKEN}`.
         * @visibility secret
         */
        token: string;
      }>;
      /** Scratch directory on the runners. */
      workDir?: string;
      /** zlib-compress qcow2 images (never zstd: Scaleway's import rejects it). */
      compressQcow2?: boolean;
      /** Path of the virtio-win ISO on the runners, required for Windows VMs. */
      virtioWinIso?: string;
      /** Remove scratch files of a VM once it migrated. */
      cleanupOnSuccess?: boolean;
      /**
       * How disks leave vSphere: `datastore` (flat extent over the datastore /folder URL; consistent only
       * when the VM had no snapshot before the migration's), `nfc` (export lease), `auto` (default:
       * datastore when consistent, NFC otherwise).
       */
      exportMethod?: 'auto' | 'datastore' | 'nfc';
      /** Trim free blocks of raw exports before convert (default true). */
      trim?: boolean;
    };

    /** The migration engine of each backend instance. */
    engine?: {
      /** Seconds between two looks for work when nothing woke the engine (default 5). */
      tickSeconds?: number;
      /** Seconds after which a stage whose backend stopped renewing it is given to another (default 60). */
      leaseSeconds?: number;
      /** Stages one backend instance runs at once (default 20). */
      maxConcurrentStages?: number;
      /** Seconds a VM read from a vCenter is reused by validate (default 60). */
      inventoryCacheSeconds?: number;
      /** Time limit per stage, minutes, e.g. `{ export: 720, import_scw: 120 }`. */
      stageTimeoutMinutes?: { [stage: string]: number };
    };

    /** Who may change things; everyone signed in may read plans, estimates and status. */
    permissions?: {
      /**
       * Entity refs of the users and groups that may create plans, run batches and approve waves,
       * e.g. `group:default/platform-team`.
       */
      admins?: string[];
    };
  };
}
