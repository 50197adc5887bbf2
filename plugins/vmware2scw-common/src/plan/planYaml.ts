import type {
  DocumentOptions,
  ParseOptions,
  SchemaOptions,
  ToStringOptions,
} from 'yaml';

/**
 * How plan files are read and written. The old tool loaded plans with PyYAML (YAML 1.1), so its
 * users write `power_off_source: yes` or `no`; the YAML 1.2 core schema would read those as strings.
 * Reading uses the core schema with PyYAML's booleans (yes/no/on/off, true/false in their three
 * spellings) and no timestamp type, so `generated_at` stays the text it is. Writing uses YAML 1.1
 * rules, which quote every string a YAML 1.1 reader could take for something else (`"yes"`, `"1:30"`,
 * a date), so files written here read back the same in both tools.
 */
const PYYAML_BOOL = {
  identify: (v: unknown) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:[Yy]es|YES|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF)$/,
  resolve: (s: string) => /^(?:yes|true|on)$/i.test(s),
};

export const PLAN_READ_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions =
  {
    schema: 'core',
    customTags: tags => [
      ...tags.filter(t => (t as { tag?: string }).tag !== PYYAML_BOOL.tag),
      PYYAML_BOOL,
    ],
    uniqueKeys: true,
    prettyErrors: false,
    keepSourceTokens: false,
  };

export const PLAN_WRITE_DOCUMENT_OPTIONS: DocumentOptions & SchemaOptions = {
  version: '1.1',
};

export const PLAN_WRITE_STRING_OPTIONS: ToStringOptions = {
  // Never fold long values (patterns, descriptions) over several lines.
  lineWidth: 0,
  indentSeq: true,
  // `["web-*", "db-*"]` as in the old tool's example plan (`__fixtures__/oldReadmePlan.ts`), not `[ "web-*", "db-*" ]`.
  flowCollectionPadding: false,
};

/** Aliases can expand exponentially ("billion laughs"); a plan has no use for many of them. */
export const PLAN_MAX_ALIAS_COUNT = 100;

/** A 10,000-VM plan is about 1 MB; anything far above is not a plan someone typed. */
export const PLAN_MAX_BYTES = 16 * 1024 * 1024;
