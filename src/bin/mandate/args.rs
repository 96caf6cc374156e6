//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use mandate::api::dto::{Environment, Lifecycle, RiskTier};

#[derive(Debug, Parser)]
#[command(
    name = "mandate",
    version,
    about = "Govern AI agents: inventory, Cedar policies, replay, framework mapping, signed bundles"
)]
pub struct Cli {
    /// Workspace folder (default: the nearest folder at or above the current one holding `mandate.toml`)
    #[arg(long, short = 'w', global = true, env = "MANDATE_WORKSPACE")]
    pub workspace: Option<PathBuf>,

    /// How results (diagnostics included) are printed
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// How a fatal error is printed
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,

    /// Who is acting, for the audit log and approvals (a human's id or email; default:
    /// MANDATE_ACTOR, else `git config user.email`)
    #[arg(long = "as", global = true, value_name = "WHO")]
    pub actor: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// where a command offers it: `agents export`, `agents list`, `insights`, `export`
    Csv,
    /// where a command offers it: `schema`
    Cedar,
    /// where a command offers it: `simulate` (one JSON object per request)
    Jsonl,
    /// where a command offers it: `simulate`, `insights`, `export` (one self-contained report page)
    Html,
    /// where a command offers it: `export` (an OSCAL component-definition and derived catalogs)
    Oscal,
    /// where a command offers it: `export` (a Markdown report)
    Md,
    /// where a command offers it: `bundle export` (a Cedarling policy store, `.cjar`)
    Cedarling,
    /// where a command offers it: `bundle export` (an AWS Verified Permissions CloudFormation template)
    Avp,
    /// where a command offers it: `bundle export` (a folder the `cedar` CLI validates)
    CedarDir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// `error:` and `help:` lines, coloured on a terminal
    Human,
    /// the same, never coloured
    Plain,
    /// one JSON object: {code, message, help, diagnostics}
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace: mandate.toml, inventory/, controls/, policies/ (from the control library), .mandate/
    Init {
        /// Folder to create the workspace in (created if missing)
        dir: PathBuf,
        /// Workspace name (default: the folder's name)
        #[arg(long)]
        name: Option<String>,
        /// Cedar namespace of the schema
        #[arg(long, default_value = "Mandate")]
        namespace: String,
    },
    /// Write the demo organisation (Acme: 33 agents in six teams, their people, tools,
    /// datasets and models, planted accountability gaps, the controls, the policies and the
    /// revision production ran) into a new or empty folder, with its recorded traffic
    /// generated and imported as a request set. With --traffic FILE: only the traffic
    #[command(group = clap::ArgGroup::new("target").required(true).args(["dir", "traffic"]))]
    Demo {
        /// Folder to write the demo into (created; must be new or empty)
        dir: Option<PathBuf>,
        /// Recorded requests to generate
        #[arg(long, default_value_t = mandate::api::DEMO_DEFAULT_REQUESTS, value_name = "N")]
        requests: usize,
        /// Seed of the generator: the same seed and count give the same bytes everywhere
        #[arg(long, default_value_t = mandate::api::DEMO_DEFAULT_SEED, value_name = "S")]
        seed: u64,
        /// The request set the traffic is imported into
        #[arg(long, default_value = mandate::api::DEMO_DEFAULT_SET, value_name = "NAME", conflicts_with = "no_import")]
        set: String,
        /// Write requests/traffic.jsonl but import nothing (no database is made)
        #[arg(long, conflicts_with = "traffic")]
        no_import: bool,
        /// Write only the traffic, to this file (atomically), for a demo copy you keep
        #[arg(long, value_name = "FILE", conflicts_with = "dir")]
        traffic: Option<PathBuf>,
    },
    /// Validate every policy against the workspace schema; exit 1 when there are errors
    Validate,
    /// Format every policy file, statement by statement (comments and annotations kept)
    Fmt {
        /// Write nothing; exit 1 when a file is not formatted
        #[arg(long)]
        check: bool,
    },
    /// Policy authoring
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Decide one request against the workspace's policies and the inventory's entities; exit 0 allow, 1 deny
    Test {
        /// e.g. 'Agent::"billing-bot"' (the workspace namespace is added when missing)
        #[arg(long)]
        principal: String,
        /// e.g. invoke_tool
        #[arg(long)]
        action: String,
        /// e.g. 'Tool::"stripe.refund"'
        #[arg(long)]
        resource: String,
        /// Context as a JSON object
        #[arg(long, default_value = "{}")]
        context: String,
    },
    /// Check everything: inventory files, accountability gaps, policies; exit 1 on errors
    Check,
    /// Register and manage agents
    Agents {
        #[command(subcommand)]
        command: AgentsCommand,
    },
    /// Print the Cedar schema (generated from the inventory, or the workspace's file); --format cedar|json
    Schema {
        /// Also write it to schema.cedarschema (generated mode), for other Cedar tools
        #[arg(long)]
        write: bool,
    },
    /// Prove what a policy change can do: per request environment (principal type × action ×
    /// resource type) whether the candidate is equivalent, more or less permissive than the
    /// baseline or incomparable, with a counterexample replayed concretely; and findings on
    /// the candidate (fail-open forbids, permits that always match, dead, shadowed,
    /// overridden and equivalent policies). Exit 1 on fail-open findings, and with
    /// --fail-on-permissive when an environment may allow more. Needs an SMT solver (cvc5 ≥
    /// 1.1 or z3). Without a workspace: --schema with --baseline and --candidate files
    Analyze {
        /// The policies as they are: git:REV, a .cedar file or folder, @published, @none,
        /// @bundle:VERSION|PATH (default git:HEAD; loose files: a path)
        #[arg(long)]
        baseline: Option<String>,
        /// The policies as proposed (default: the working copy; loose files: a path)
        #[arg(long)]
        candidate: Option<String>,
        /// The Cedar schema; loose files, no workspace
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Only the findings on the candidate (no diff, no baseline)
        #[arg(long, conflicts_with = "no_findings")]
        findings_only: bool,
        /// Only the diff
        #[arg(long)]
        no_findings: bool,
        /// The SMT solver binary (cvc5 ≥ 1.1 or z3), over $CVC5 and [analysis] solver
        #[arg(long)]
        solver: Option<String>,
        /// Milliseconds per solver query (default [analysis] time_limit_ms, 10000)
        #[arg(long, value_name = "MS")]
        time_limit: Option<u64>,
        /// Solver processes at once (default: one per core)
        #[arg(long)]
        jobs: Option<u32>,
        /// Exit 1 when an environment is more permissive, incomparable or unknown (a CI gate)
        #[arg(long)]
        fail_on_permissive: bool,
    },
    /// What an agent can do: for each action and each inventory resource, allowed, denied or
    /// allowed under context conditions (proved satisfiable by the solver, with an example
    /// context), and what changed from the baseline. Without AGENT: a line per agent with
    /// its counts and changes. Exit 1 with --fail-on-gained when an agent gained access
    Access {
        /// An agent's inventory id (default: every agent)
        agent: Option<String>,
        /// The policies as they are (as `analyze` takes them; default git:HEAD)
        #[arg(long, conflicts_with = "no_diff")]
        baseline: Option<String>,
        /// The policies as proposed (default: the working copy)
        #[arg(long)]
        candidate: Option<String>,
        /// Only the candidate's access, no change from a baseline
        #[arg(long)]
        no_diff: bool,
        /// The SMT solver binary, over $CVC5 and [analysis] solver
        #[arg(long)]
        solver: Option<String>,
        /// Milliseconds per solver query (default [analysis] time_limit_ms)
        #[arg(long, value_name = "MS")]
        time_limit: Option<u64>,
        /// Solver processes at once (default: one per core)
        #[arg(long)]
        jobs: Option<u32>,
        /// Exit 1 when an agent gained access or its conditions changed (a CI gate)
        #[arg(long)]
        fail_on_gained: bool,
    },
    /// Replay recorded requests against a baseline and a candidate policy set; one result per
    /// request (--format jsonl), or the totals (human, json). With --set: a stored request
    /// set of the workspace; without: loose files (--schema, --entities, --requests), no
    /// workspace needed
    Simulate {
        /// A request set of the workspace (`mandate requests list`)
        #[arg(long, conflicts_with_all = ["schema", "entities", "requests"])]
        set: Option<String>,
        /// Only requests recorded at or after this time (RFC 3339, or back from now: 7d, 12h, 30m); with --set
        #[arg(long, requires = "set")]
        since: Option<String>,
        /// Only requests recorded before this time; with --set
        #[arg(long, requires = "set")]
        until: Option<String>,
        /// The Cedar schema (.cedarschema, or Cedar's JSON schema in a .json file); loose files
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Cedar entities JSON; loose files
        #[arg(long)]
        entities: Option<PathBuf>,
        /// The policies as they are: a .cedar file or a folder of them, or git:REV with --set (default git:HEAD)
        #[arg(long)]
        baseline: Option<String>,
        /// The policies as proposed: a .cedar file or a folder of them, or git:REV with --set (default: the working copy)
        #[arg(long)]
        candidate: Option<String>,
        /// Recorded requests, JSON Lines (DESIGN.md §4); loose files
        #[arg(long)]
        requests: Option<PathBuf>,
        /// Exit 1 when any decision changed (a CI gate)
        /// Also prove what the change can do on any request (the symbolic diff of the same
        /// baseline and candidate), shown beside the replay in every format; with --set
        #[arg(long, requires = "set")]
        analyze: bool,
        #[arg(long)]
        fail_on_change: bool,
        /// Write the output to this file (atomically) instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Explain one recorded request: each determining policy with its source and which
    /// conditions held; for a default deny, the permits whose scope matched and the condition
    /// that was false. With --set: a stored request on the baseline and the candidate; without:
    /// loose files (--schema, --entities, --policies, and --request or --requests)
    Explain {
        /// The request: a record's id, or `line:N` as `mandate simulate` prints it (with --set
        /// or --requests)
        id: Option<String>,
        /// A request set of the workspace (`mandate requests list`)
        #[arg(long, conflicts_with_all = ["schema", "entities", "policies", "request", "requests"])]
        set: Option<String>,
        /// The policies as they are: a .cedar file or a folder of them, or git:REV (default git:HEAD); with --set
        #[arg(long, requires = "set")]
        baseline: Option<String>,
        /// The policies as proposed: a .cedar file or a folder of them, or git:REV (default: the working copy); with --set
        #[arg(long, requires = "set")]
        candidate: Option<String>,
        /// The Cedar schema (.cedarschema, or Cedar's JSON schema in a .json file); loose files
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Cedar entities JSON; loose files
        #[arg(long)]
        entities: Option<PathBuf>,
        /// A .cedar file or a folder of them; loose files
        #[arg(long)]
        policies: Option<PathBuf>,
        /// One recorded request: a file holding it, or its JSON inline; loose files
        #[arg(long, conflicts_with = "requests")]
        request: Option<String>,
        /// Recorded requests, JSON Lines, with the request's ID; loose files
        #[arg(long)]
        requests: Option<PathBuf>,
    },
    /// Recorded authorization requests: import them into named sets, list and describe sets
    Requests {
        #[command(subcommand)]
        command: RequestsCommand,
    },
    /// Signed, reviewed policy bundles: build, sign, approve, verify, publish, list, diff,
    /// export for other engines
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Signing keys: generate one on this machine, list local and trusted keys, trust or
    /// remove a key (a change other trusted keys approve)
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Review a policy change: open a review of a replay's changed decisions, acknowledge
    /// them, record a verdict (stored in reviews/NAME.toml)
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// What agents actually did in recorded traffic: shadow agents, out-of-scope use, unused
    /// grants, deny-retry bursts, task chains, credential hygiene and logging completeness,
    /// joined with the inventory and the current policies (--format human|json|csv|html);
    /// `insights task ID` reconstructs one task's path
    Insights {
        #[command(subcommand)]
        command: Option<InsightsCommand>,
        /// A request set of the workspace (default: the one imported last)
        #[arg(long)]
        set: Option<String>,
        /// Only requests recorded at or after this time (RFC 3339, or back from now: 7d, 12h, 30m)
        #[arg(long)]
        since: Option<String>,
        /// Only requests recorded before this time
        #[arg(long)]
        until: Option<String>,
        /// Exit 1 when a finding at this level or worse exists (a CI gate)
        #[arg(long, value_enum)]
        fail_on: Option<LevelArg>,
        /// Write the output to this file (atomically) instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Framework coverage: per item of OWASP Agentic Top 10, OWASP Agentic Threats &
    /// Mitigations, OWASP NHI Top 10, CSA MAESTRO and NIST AI RMF (and imported frameworks),
    /// a status derived from the controls' evidence, and the gaps (--format human|json)
    Coverage {
        /// One framework's id (`mandate coverage` lists them)
        #[arg(long)]
        framework: Option<String>,
        /// Exit 1 when a framework's coverage (implemented / applicable) is below this
        /// percentage (a CI gate)
        #[arg(long, value_name = "PERCENT")]
        fail_under: Option<f64>,
        /// Write the output to this file (atomically) instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Export framework coverage for compliance teams: --format csv (--table alignment|matrix),
    /// json, oscal (a component-definition plus one derived catalog per framework beside it),
    /// md or html (prints to PDF); prints the files written
    Export {
        /// Only this framework (`nist-ai-rmf-1.0`, `owasp-agentic-top10-2026`, …)
        #[arg(long)]
        framework: Option<String>,
        /// With --format csv: the alignment table (Framework, Control / Reference, Relevance)
        /// or the full traceability matrix (default)
        #[arg(long, value_enum)]
        table: Option<TableArg>,
        /// The file to write (atomically); OSCAL catalogs go beside it
        #[arg(long)]
        out: PathBuf,
    },
    /// Framework catalogs: list and show them (built-in and the workspace's own), import
    /// your own framework (JSON, CSV, OSCAL catalog), import an alignment table of control
    /// mappings
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
    /// Print the inventory as Cedar entities JSON, checked against the schema
    Entities {
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The audit log, newest first: who did what to which subject and when, with the state
    /// before and after; filtered by actor, action, subject text and time
    /// (--format human|json|csv)
    Audit {
        /// Only this actor (ignoring case), e.g. `dana@acme.example`
        #[arg(long)]
        actor: Option<String>,
        /// Only this action (`agent.lifecycle`), or every action with a prefix (`agent.*`)
        #[arg(long)]
        action: Option<String>,
        /// Only subjects containing this text (ignoring case)
        #[arg(long)]
        subject: Option<String>,
        /// At or after this time: RFC 3339, a date (2026-05-01, midnight UTC) or back from
        /// now (7d, 12h, 30m)
        #[arg(long)]
        since: Option<String>,
        /// Before this time (the same forms)
        #[arg(long)]
        until: Option<String>,
        /// At most N entries, the newest
        #[arg(long, value_name = "N")]
        limit: Option<String>,
        /// Write the output to this file (atomically) instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The app's Dashboard in the terminal: traffic insights, framework coverage, the last
    /// replay, open reviews and bundles awaiting approval, the last published bundle
    /// (--format human|json; `mandate validate` and `mandate check` cover the rest)
    Dashboard {
        /// Only this card
        #[arg(long, value_enum)]
        card: Option<CardArg>,
    },
}

/// A card of `mandate dashboard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CardArg {
    Traffic,
    Coverage,
    Replay,
    Reviews,
    Bundle,
}

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// List the frameworks: id, short title, version, origin and assessable item count
    List,
    /// Show a framework's items as a tree, by official id or label (uncertain items are
    /// marked unverified)
    Show {
        /// The framework's id (`mandate frameworks list`)
        id: String,
    },
    /// Import a framework into frameworks/ID.json: Mandate's JSON, the simple JSON shape
    /// {id, title, version, publisher, items: [{id, title, text, parent}]}, CSV
    /// (id,title,text,parent[,kind,label,assessable]) or an OSCAL catalog. Any problem in the
    /// file fails the import (exit 2) with every problem listed; nothing is written
    Import {
        file: PathBuf,
        /// What the file is written in (default: from its extension and content)
        #[arg(
            long = "from",
            visible_alias = "input-format",
            value_enum,
            value_name = "FORMAT"
        )]
        from: Option<SourceFormat>,
        /// The framework's id (default: the file's own, else the file name as a slug)
        #[arg(long)]
        id: Option<String>,
        /// The framework's title (default: the file's own, else the file name)
        #[arg(long)]
        title: Option<String>,
        /// The framework's version (default: the file's own)
        #[arg(long = "version", value_name = "VERSION")]
        framework_version: Option<String>,
        /// Who publishes the framework (default: the file's own)
        #[arg(long)]
        publisher: Option<String>,
        /// Read and check the file; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Import control mappings from an alignment table (CSV with a header: control,
    /// framework, reference or "control / reference", relevance; or a JSON array) into
    /// controls/controls.toml. Citations resolve to official items or are kept as written
    /// (`cited`, never counted); bad rows are reported and skipped (exit 1)
    ImportMappings {
        file: PathBuf,
        /// Report what would be imported; write nothing
        #[arg(long)]
        dry_run: bool,
    },
}

/// What a framework file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceFormat {
    /// Mandate's framework JSON or the simple shape
    Json,
    /// id,title,text,parent
    Csv,
    /// an OSCAL catalog
    Oscal,
}

#[derive(Debug, Subcommand)]
pub enum InsightsCommand {
    /// One task's requests in order: agents, delegation hops, systems, environments,
    /// recorded and current decisions with their determining policies, and its findings
    Task {
        /// The task id (`task_id` of the recorded requests)
        id: String,
        /// A request set of the workspace (default: the one imported last)
        #[arg(long)]
        set: Option<String>,
    },
}

/// Which CSV table `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableArg {
    Alignment,
    Matrix,
}

/// A finding level for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Build a bundle of the working copy with its evidence (validation, a replay against the
    /// published bundle, coverage, the approvals its scope needs)
    Build {
        /// Semantic version (default: the next minor after the last published)
        #[arg(long)]
        version: Option<String>,
        /// What changed, for the people who approve it
        #[arg(long, default_value = "")]
        summary: String,
        /// A directory, or a `.mandate-bundle` zip (default .mandate/drafts/VERSION/)
        #[arg(long)]
        out: Option<PathBuf>,
        /// The author's key: name or id (default: the only one on this machine)
        #[arg(long)]
        key: Option<String>,
        /// The request set the evidence replays (default: the newest)
        #[arg(long)]
        set: Option<String>,
        /// Leave it unsigned (sign later with `mandate bundle sign`)
        #[arg(long)]
        no_sign: bool,
        /// Accept a lower framework coverage than the published bundle's, saying why
        #[arg(long, value_name = "REASON")]
        accept_coverage_drop: Option<String>,
        /// Accept a change the symbolic analysis finds more permissive than the published
        /// bundle (the `permissive` gate), saying why
        #[arg(long, value_name = "REASON")]
        accept_more_permissive: Option<String>,
    },
    /// Sign a bundle as its author
    Sign {
        /// A bundle directory or .mandate-bundle file
        path: PathBuf,
        /// Your key: name or id (default: the only one on this machine)
        #[arg(long)]
        key: Option<String>,
    },
    /// Approve a bundle with your own key (the author cannot approve their own)
    Approve {
        /// A bundle directory or .mandate-bundle file
        path: PathBuf,
        /// Your key: name or id (default: the only one on this machine)
        #[arg(long)]
        key: Option<String>,
        /// What you checked, recorded in the signed approval
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Verify hashes, signatures, approvals and the parent chain; exit 1 on failure
    Verify {
        /// A bundle directory or .mandate-bundle file, or a published version
        path: String,
        /// Fail when approvals are short of what the bundle's scope requires
        #[arg(long)]
        require_approved: bool,
    },
    /// Check every gate and publish into bundles/VERSION/ (commit it); exit 1 when a gate fails
    Publish {
        /// The built bundle: a draft folder (`.mandate/drafts/VERSION`) or a .mandate-bundle file
        path: PathBuf,
        /// Also copy the bundle here: a folder (gets NAME-VERSION.mandate-bundle) or a .mandate-bundle path
        #[arg(long)]
        to: Option<PathBuf>,
        /// Only check and list the gates
        #[arg(long)]
        dry_run: bool,
    },
    /// The published bundles, newest first, each verified
    List,
    /// Show a bundle: manifest, signatures, approvals and evidence
    Show { path: String },
    /// The policy text diff between two bundles (paths or published versions); for the
    /// decision diff, replay with `--baseline @bundle:FROM --candidate @bundle:TO`
    Diff { from: String, to: String },
    /// Export a bundle for another engine: --format cedarling (a .cjar policy store), avp (an
    /// AWS Verified Permissions CloudFormation template) or cedar-dir (a folder for the cedar CLI)
    Export {
        /// A bundle path or a published version (default: the newest published)
        path: Option<String>,
        /// Where to write it: cedarling, a `.cjar` file (a zip); avp, a CloudFormation
        /// template (`.json`); cedar-dir, a folder
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make an Ed25519 key pair in your config dir (MANDATE_KEYS_DIR overrides), mode 0600
    Generate {
        /// Who holds it: a name or an email (approvals are recorded under it)
        #[arg(long)]
        owner: String,
        /// The key's file name (default: from the owner)
        #[arg(long)]
        name: Option<String>,
    },
    /// This machine's keys, and the workspace's trusted and proposed keys
    List,
    /// Trust a key (the workspace's first key: your own), or approve a pending trust change;
    /// with --remove, distrust it. Other trusted keys approve each change.
    Trust {
        /// The key id (`ed25519:` + 64 hex digits)
        key: String,
        /// Who holds it
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        remove: bool,
        /// Your key that signs the approval (default: the only one)
        #[arg(long = "key", value_name = "SIGNER")]
        signer: Option<String>,
        #[arg(long, default_value = "")]
        comment: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Open a review: replay a stored set (or take a stored run) and group its changed
    /// decisions for acknowledgement
    Open {
        /// Replay this request set now (as `mandate simulate --set`)
        #[arg(long, required_unless_present = "run", conflicts_with = "run")]
        set: Option<String>,
        /// Review a stored run instead (`mandate simulate --set` prints its id)
        #[arg(long)]
        run: Option<i64>,
        /// The policies as they are: a .cedar file or folder, or git:REV (default git:HEAD)
        #[arg(long, requires = "set")]
        baseline: Option<String>,
        /// The policies as proposed (default: the working copy)
        #[arg(long, requires = "set")]
        candidate: Option<String>,
        /// Only requests recorded at or after this time (RFC 3339, or 7d, 12h, 30m)
        #[arg(long, requires = "set")]
        since: Option<String>,
        /// Only requests recorded before this time
        #[arg(long, requires = "set")]
        until: Option<String>,
        /// The review's name (default DATE-SET); the file is reviews/NAME.toml
        #[arg(long)]
        name: Option<String>,
    },
    /// List the reviews
    List,
    /// Show a review: its sides, groups of changed decisions, acknowledgements and verdicts
    Show { name: String },
    /// Acknowledge groups of changed decisions, with a comment
    Ack {
        name: String,
        /// A group key as `review show` prints it (repeatable)
        #[arg(long)]
        group: Vec<String>,
        /// A changed request's id: acknowledges its group (repeatable)
        #[arg(long)]
        request: Vec<String>,
        /// Every group not yet acknowledged
        #[arg(long)]
        all: bool,
        /// Why the change is expected
        #[arg(long)]
        comment: String,
    },
    /// Record a verdict: approve (every group acknowledged, candidate unchanged) or request-changes
    Verdict {
        name: String,
        #[arg(value_parser = ["approve", "request-changes"])]
        verdict: String,
        #[arg(long, default_value = "")]
        comment: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// Import a file (JSON Lines, a JSON array, a Cedar CLI request, a Cedar integration test
    /// or Cedarling decision logs); bad records are reported and skipped; exit 1 when any was
    Import {
        file: PathBuf,
        /// The request set to add to (created when new), e.g. prod-2026-05
        #[arg(long)]
        set: String,
        /// Any bad record fails the import and nothing is written
        #[arg(long)]
        strict: bool,
    },
    /// List the request sets
    List,
    /// Describe a request set: replay grades, recorded decisions, actions, types, top principals
    Stats { set: String },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Add the library policies that enforce a control (e.g. MND-CRED-01), in the workspace namespace
    Add {
        #[arg(long)]
        control: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// List agents (filters combine); --format human|json|csv
    List {
        #[arg(long, value_parser = parse_value::<RiskTier>)]
        tier: Option<RiskTier>,
        #[arg(long, value_parser = parse_value::<Lifecycle>)]
        lifecycle: Option<Lifecycle>,
        #[arg(long)]
        team: Option<String>,
        /// Only agents with accountability gaps
        #[arg(long)]
        gaps: bool,
    },
    /// Show one agent and its accountability gaps
    Show { id: String },
    /// Register a new agent (as a draft)
    Add {
        id: String,
        #[arg(long)]
        name: String,
        /// Owner team id
        #[arg(long)]
        team: String,
        /// Accountable human id
        #[arg(long)]
        accountable: Option<String>,
        #[arg(long)]
        sponsor: Option<String>,
        #[arg(long)]
        escalation: Option<String>,
        #[arg(long, value_parser = parse_value::<RiskTier>, default_value = "low")]
        tier: RiskTier,
        #[arg(long = "env", value_parser = parse_value::<Environment>, default_value = "prod")]
        environment: Environment,
        /// Longest credential lifetime, seconds
        #[arg(long, default_value_t = 900)]
        max_ttl: u64,
        #[arg(long)]
        spiffe_id: Option<String>,
        #[arg(long, default_value = "")]
        purpose: String,
        /// Require attestation before credentials are issued
        #[arg(long)]
        attestation: bool,
    },
    /// Change fields: `mandate agents set ID key=value …` (lists comma-separated; `key=` clears)
    Set {
        id: String,
        #[arg(required = true, value_name = "KEY=VALUE")]
        assignments: Vec<String>,
    },
    /// Move an agent through its lifecycle: draft → approved → active ⇄ suspended → retired
    Lifecycle {
        id: String,
        #[arg(value_parser = parse_value::<Lifecycle>)]
        to: Lifecycle,
        /// Why (kept in the audit log)
        #[arg(long)]
        reason: String,
    },
    /// Import agents or people (CSV or JSON, by extension) or an MCP server's tools/list
    Import {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = ImportWhat::Agents)]
        kind: ImportWhat,
        /// MCP server name (tool ids become `<server>.<tool>`); with --kind mcp-tools
        #[arg(long, required_if_eq("kind", "mcp-tools"))]
        server: Option<String>,
        /// Sensitivity of imported MCP tools
        #[arg(long, value_parser = parse_value::<RiskTier>, default_value = "medium")]
        sensitivity: RiskTier,
        /// Environment of imported MCP tools
        #[arg(long = "env", value_parser = parse_value::<Environment>, default_value = "prod")]
        environment: Environment,
        /// Show adds, changes and conflicts; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Export agents or people; --format json|csv
    Export {
        #[arg(long, value_enum, default_value_t = ExportWhat::Agents)]
        kind: ExportWhat,
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportWhat {
    Agents,
    People,
    McpTools,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    Agents,
    People,
}

/// Parses a value the core spells in snake_case (`high`, `active`, `prod`).
fn parse_value<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| {
        let msg = e.to_string();
        msg.split(", expected")
            .nth(1)
            .map_or(msg.clone(), |rest| format!("expected{rest}"))
    })
}
