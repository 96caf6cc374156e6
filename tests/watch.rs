//! The real notify watcher on a temp workspace: outside edits arrive as typed changes, the
//! app's own atomic saves do not.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mandate::api::dto::{Change, ChangeKind};
use mandate::api::Session;

use crate::support::TempWorkspace;

struct Collector {
    seen: Arc<Mutex<Vec<Change>>>,
}

impl Collector {
    fn start(session: &Session) -> (Self, mandate::api::WatchHandle) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let handle = session
            .watch(move |changes| sink.lock().unwrap().extend(changes))
            .unwrap();
        (Self { seen }, handle)
    }

    /// Waits (up to 10 s) until `want` has been reported, then returns everything so far.
    fn wait_for(&self, want: &Change) -> Vec<Change> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let seen = self.seen.lock().unwrap().clone();
            if seen.contains(want) {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {want:?}; saw {seen:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn change(kind: ChangeKind, path: &str) -> Change {
    Change {
        kind,
        path: path.to_owned(),
    }
}

#[test]
fn outside_edits_are_reported_by_kind() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let (c, _handle) = Collector::start(&session);

    ws.write(
        "policies/credentials.cedar",
        "permit(principal, action, resource);\n",
    );
    c.wait_for(&change(
        ChangeKind::PolicyChanged,
        "policies/credentials.cedar",
    ));
    ws.write(
        "policies/team/new.cedar",
        "forbid(principal, action, resource);\n",
    );
    c.wait_for(&change(ChangeKind::PolicyAdded, "policies/team/new.cedar"));
    std::fs::remove_file(ws.file("policies/tools.cedar")).unwrap();
    c.wait_for(&change(ChangeKind::PolicyRemoved, "policies/tools.cedar"));
    ws.write("inventory/people.toml", "# changed\n");
    c.wait_for(&change(
        ChangeKind::InventoryChanged,
        "inventory/people.toml",
    ));
    ws.write("schema.cedarschema", "namespace Acme { entity Agent; }\n");
    c.wait_for(&change(ChangeKind::SchemaChanged, "schema.cedarschema"));
    ws.write("controls/controls.toml", "# c\n");
    c.wait_for(&change(
        ChangeKind::ControlsChanged,
        "controls/controls.toml",
    ));
    let config = std::fs::read_to_string(ws.file("mandate.toml")).unwrap();
    ws.write("mandate.toml", &format!("{config}\n"));
    let seen = c.wait_for(&change(ChangeKind::ConfigChanged, "mandate.toml"));
    // Nothing under `.mandate/` (the database) and no temp files are ever reported.
    assert!(
        seen.iter()
            .all(|ch| !ch.path.starts_with(".mandate") && !ch.path.contains(".mandate-tmp-")),
        "{seen:?}"
    );
}

#[test]
fn a_removed_policy_folder_reports_each_file() {
    let ws = TempWorkspace::new();
    ws.write(
        "policies/team/a.cedar",
        "permit(principal, action, resource);\n",
    );
    ws.write(
        "policies/team/b.cedar",
        "permit(principal, action, resource);\n",
    );
    let session = Session::open(ws.path()).unwrap();
    let (c, _handle) = Collector::start(&session);
    std::fs::remove_dir_all(ws.file("policies/team")).unwrap();
    c.wait_for(&change(ChangeKind::PolicyRemoved, "policies/team/a.cedar"));
    c.wait_for(&change(ChangeKind::PolicyRemoved, "policies/team/b.cedar"));
}

#[test]
fn the_apps_own_atomic_save_is_not_an_outside_change() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let (c, _handle) = Collector::start(&session);

    session
        .save_policy(
            "policies/tools.cedar",
            "@id(\"x\")\npermit(principal, action, resource);\n",
            None,
            "tester@example.com",
        )
        .unwrap();
    session
        .save_policy(
            "policies/brand-new.cedar",
            "forbid(principal, action, resource);\n",
            None,
            "tester@example.com",
        )
        .unwrap();
    // A fence: an outside edit made after the saves. Once it is reported, any event the
    // saves caused has been delivered too.
    std::thread::sleep(Duration::from_millis(50));
    ws.write("inventory/resources.toml", "# fence\n");
    let seen = c.wait_for(&change(
        ChangeKind::InventoryChanged,
        "inventory/resources.toml",
    ));
    std::thread::sleep(Duration::from_millis(400));
    let seen_later = c.seen.lock().unwrap().clone();
    assert_eq!(seen, seen_later, "late events: {seen_later:?}");
    assert_eq!(
        seen,
        vec![change(
            ChangeKind::InventoryChanged,
            "inventory/resources.toml"
        )]
    );
}

#[test]
fn an_editor_style_rename_save_is_one_change() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let (c, _handle) = Collector::start(&session);
    // Editors often write a temp file and rename it over the original.
    ws.write(
        "policies/lifecycle.cedar.swp",
        "forbid(principal, action, resource);\n",
    );
    std::fs::rename(
        ws.file("policies/lifecycle.cedar.swp"),
        ws.file("policies/lifecycle.cedar"),
    )
    .unwrap();
    let seen = c.wait_for(&change(
        ChangeKind::PolicyChanged,
        "policies/lifecycle.cedar",
    ));
    std::thread::sleep(Duration::from_millis(400));
    let all = c.seen.lock().unwrap().clone();
    assert_eq!(
        all.iter()
            .filter(|ch| ch.path == "policies/lifecycle.cedar")
            .count(),
        1,
        "{all:?} / {seen:?}"
    );
    assert!(all.iter().all(|ch| !ch.path.ends_with(".swp")));
}
