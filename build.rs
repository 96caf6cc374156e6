//! Re-embeds the demo workspace (`src/demo`) when a file is added to or removed from it:
//! `include_dir!` tracks the contents of the files it embeds, not the folders' listings.
//! Generated files (`requests/traffic.jsonl`, `.mandate/`) are not watched, so running the
//! demo never triggers a rebuild.

fn main() {
    for path in [
        "examples/demo/inventory",
        "examples/demo/controls",
        "examples/demo/policies",
        "examples/demo/revisions",
        "examples/demo/requests/README.md",
        "examples/demo/README.md",
        "examples/demo/mandate.toml",
        "examples/demo/schema.cedarschema",
        "examples/demo/.gitignore",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
}
