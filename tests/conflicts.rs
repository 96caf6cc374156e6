//! The app and the CLI on one workspace at once: a file edited outside while the app saves
//! the same file is a detected conflict (`edit_conflict`), never a lost update.

use std::path::Path;

use mandate::api::dto::Agent;
use mandate::api::{SaveMode, Session};
use mandate::workspace::{revision, ABSENT};
use mandate::ErrorCode;

use crate::support::{demo, mandate, TempWorkspace};

const ACTOR: &str = "tester@example.com";
const POLICY: &str = "policies/tools.cedar";

fn bytes(root: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(root.join(rel)).unwrap()
}

fn agent(session: &Session, id: &str) -> (Agent, String) {
    let view = session.inventory();
    let agent = view.agents.into_iter().find(|a| a.id == id).unwrap();
    (agent, view.agent_revisions[id].clone())
}

#[test]
fn reading_for_edit_gives_the_sha256_of_the_files_bytes() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let read = session.read_for_edit(POLICY).unwrap();
    assert_eq!(read.path, POLICY);
    assert_eq!(read.text.as_bytes(), bytes(ws.path(), POLICY));
    assert_eq!(read.revision, revision(&bytes(ws.path(), POLICY)));
    assert_eq!(read.revision.len(), 64);
}

#[test]
fn a_policy_save_with_a_stale_revision_is_refused_and_the_outside_edit_survives() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let opened = session.read_for_edit(POLICY).unwrap();
    // Someone edits the file outside the app while it is open in the editor.
    let theirs = format!("{}\n// edited in vim\n", opened.text);
    ws.write(POLICY, &theirs);

    let mine = format!("{}\n// edited in the app\n", opened.text);
    let err = session
        .save_policy(POLICY, &mine, Some(&opened.revision), ACTOR)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::EditConflict);
    assert_eq!(
        err.message,
        "`policies/tools.cedar` changed on disk since it was opened"
    );
    assert!(err.help.unwrap().contains("nothing was written"));
    assert_eq!(bytes(ws.path(), POLICY), theirs.as_bytes());
    assert!(
        session.audit_log(5).unwrap()[0].action != "policy.save",
        "a refused save is not audited as a save"
    );
    let temps = std::fs::read_dir(ws.file("policies"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mandate-tmp-"))
        .count();
    assert_eq!(temps, 0, "a refused save leaves no temporary file");

    // Re-reading gives their text and the revision to overwrite it with, explicitly.
    let now = session.read_for_edit(POLICY).unwrap();
    assert_eq!(now.text, theirs);
    let saved = session
        .save_policy(POLICY, &mine, Some(&now.revision), ACTOR)
        .unwrap();
    assert_eq!(bytes(ws.path(), POLICY), mine.as_bytes());
    assert_eq!(saved, revision(mine.as_bytes()));
    let log = session.audit_log(1).unwrap();
    assert_eq!(log[0].action, "policy.save");
    assert_eq!(
        log[0].before.as_deref(),
        Some(format!(r#"{{"sha256":"{}"}}"#, now.revision).as_str())
    );
}

#[test]
fn saves_with_the_current_revision_succeed_one_after_another() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let mut rev = session.read_for_edit(POLICY).unwrap().revision;
    for n in 0..3 {
        let text = format!("// save {n}\npermit(principal, action, resource);\n");
        rev = session
            .save_policy(POLICY, &text, Some(&rev), ACTOR)
            .unwrap();
        assert_eq!(rev, session.read_for_edit(POLICY).unwrap().revision);
    }
}

#[test]
fn a_new_policy_names_absent_and_is_refused_when_the_file_appeared_meanwhile() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let text = "permit(principal, action, resource);\n";
    session
        .save_policy("policies/new.cedar", text, Some(ABSENT), ACTOR)
        .unwrap();
    ws.write("policies/other.cedar", "// theirs\n");
    let err = session
        .save_policy("policies/other.cedar", text, Some(ABSENT), ACTOR)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::EditConflict);
    assert_eq!(bytes(ws.path(), "policies/other.cedar"), b"// theirs\n");
}

#[test]
fn a_save_without_a_revision_writes_as_the_cli_always_did() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    ws.write(POLICY, "// theirs\n");
    let text = "permit(principal, action, resource);\n";
    session.save_policy(POLICY, text, None, ACTOR).unwrap();
    assert_eq!(bytes(ws.path(), POLICY), text.as_bytes());
}

#[test]
fn of_concurrent_saves_naming_one_revision_exactly_one_wins() {
    let ws = TempWorkspace::new();
    let session = Session::open(ws.path()).unwrap();
    let rev = session.read_for_edit(POLICY).unwrap().revision;
    let results: Vec<(String, Result<String, ErrorCode>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let (session, rev) = (session.clone(), rev.clone());
                s.spawn(move || {
                    let text = format!("// writer {n}\npermit(principal, action, resource);\n");
                    let r = session.save_policy(POLICY, &text, Some(&rev), ACTOR);
                    (text, r.map_err(|e| e.code))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<&String> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(t, _)| t)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results
        .iter()
        .all(|(_, r)| r.is_ok() || *r == Err(ErrorCode::EditConflict)));
    assert_eq!(bytes(ws.path(), POLICY), winners[0].as_bytes());
}

#[test]
fn an_agent_save_with_a_stale_revision_is_refused_and_the_outside_edit_survives() {
    let ws = demo();
    let session = Session::open(ws.path()).unwrap();
    let rel = "inventory/agents/billing-bot.toml";
    let (mut edited, opened) = agent(&session, "billing-bot");
    assert_eq!(opened, revision(&bytes(ws.path(), rel)));

    let theirs = format!(
        "{}# reviewed by the platform team\n",
        String::from_utf8(bytes(ws.path(), rel)).unwrap()
    );
    std::fs::write(ws.path().join(rel), &theirs).unwrap();

    edited.name = "Billing bot (renamed in the app)".into();
    let err = session
        .save_agent(&edited, SaveMode::Update, Some(&opened), ACTOR)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::EditConflict);
    assert_eq!(
        err.message,
        "`inventory/agents/billing-bot.toml` changed on disk since it was opened"
    );
    assert_eq!(bytes(ws.path(), rel), theirs.as_bytes());

    // The inventory read again carries the new revision; overwriting with it is explicit.
    let (_, now) = agent(&session, "billing-bot");
    assert_eq!(now, revision(theirs.as_bytes()));
    let saved = session
        .save_agent(&edited, SaveMode::Update, Some(&now), ACTOR)
        .unwrap();
    assert_eq!(saved.agent.name, edited.name);
    assert_eq!(saved.revision, revision(&bytes(ws.path(), rel)));
    assert_eq!(agent(&session, "billing-bot").1, saved.revision);
}

#[test]
fn creating_an_agent_over_a_file_that_does_not_load_is_refused() {
    let ws = demo();
    let session = Session::open(ws.path()).unwrap();
    let (mut new, _) = agent(&session, "billing-bot");
    new.id = "notes-bot".into();
    new.lifecycle = mandate::api::dto::Lifecycle::Draft;
    new.approved_by = None;
    new.approved_on = None;
    // A half-written file (not yet an agent the inventory loads) appeared meanwhile.
    let rel = "inventory/agents/notes-bot.toml";
    std::fs::write(ws.path().join(rel), "id = \"notes-bot\"\nname = \n").unwrap();
    let err = session
        .save_agent(&new, SaveMode::Create, Some(ABSENT), ACTOR)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::EditConflict);
    assert_eq!(bytes(ws.path(), rel), b"id = \"notes-bot\"\nname = \n");
}

#[test]
fn cli_saves_still_work_and_keep_an_earlier_outside_edit() {
    let ws = demo();
    let rel = "inventory/agents/billing-bot.toml";
    // An outside edit first (another clone, a git pull), then the CLI's read-modify-write.
    let text = String::from_utf8(bytes(ws.path(), rel)).unwrap();
    let theirs = text.replacen("name = \"", "name = \"Renamed: ", 1);
    assert_ne!(theirs, text);
    std::fs::write(ws.path().join(rel), &theirs).unwrap();
    mandate()
        .arg("--workspace")
        .arg(ws.path())
        .args(["agents", "set", "billing-bot", "tags=finance"])
        .assert()
        .success();
    let after = String::from_utf8(bytes(ws.path(), rel)).unwrap();
    assert!(after.contains("name = \"Renamed: "), "{after}");
    assert!(after.contains("finance"), "{after}");

    mandate()
        .arg("--workspace")
        .arg(ws.path())
        .args(["fmt"])
        .assert()
        .success();
}

#[test]
fn a_lifecycle_move_starts_from_the_file_as_it_is_now() {
    let ws = demo();
    let session = Session::open(ws.path()).unwrap();
    let rel = "inventory/agents/billing-bot.toml";
    let text = String::from_utf8(bytes(ws.path(), rel)).unwrap();
    std::fs::write(
        ws.path().join(rel),
        text.replacen("name = \"", "name = \"Renamed: ", 1),
    )
    .unwrap();
    let moved = session
        .agent_lifecycle(
            "billing-bot",
            mandate::api::dto::Lifecycle::Suspended,
            "incident",
            ACTOR,
        )
        .unwrap();
    assert_eq!(moved.lifecycle, mandate::api::dto::Lifecycle::Suspended);
    let after = String::from_utf8(bytes(ws.path(), rel)).unwrap();
    assert!(after.contains("name = \"Renamed: "), "{after}");
    assert!(after.contains("lifecycle = \"suspended\""), "{after}");
}
