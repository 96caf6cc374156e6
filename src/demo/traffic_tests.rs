//! The planner on the embedded demo: deterministic, within the window, on each agent's
//! rhythm, and every planted mistake where its code says it is.

use super::*;

fn planned(requests: usize, seed: u64) -> (Loaded, Vec<Planned>) {
    let loaded = load().unwrap();
    let out = plan(&loaded.inventory, Options { requests, seed }).unwrap();
    (loaded, out)
}

fn key(p: &Planned) -> String {
    format!(
        "{} {} {} {} {:?}",
        p.ms,
        p.principal,
        p.action.as_str(),
        p.resource,
        serde_json::to_string(&p.context).unwrap()
    )
}

#[test]
fn the_embedded_demo_loads_with_the_previous_revision() {
    let loaded = load().unwrap();
    assert_eq!(loaded.namespace, "Acme");
    assert!(loaded.inventory.agents.len() >= 25);
    let ids: Vec<String> = loaded
        .previous
        .policies()
        .filter_map(|p| p.annotation("id").map(str::to_owned))
        .collect();
    // The revision production ran had neither the PII rule nor the task rule yet.
    assert!(ids.iter().any(|i| i == "permit-allowed-tools"), "{ids:?}");
    assert!(
        !ids.iter().any(|i| i == "pii-only-for-redaction"),
        "{ids:?}"
    );
    assert!(
        !ids.iter().any(|i| i == "credential-requires-task"),
        "{ids:?}"
    );
}

#[test]
fn the_same_seed_plans_the_same_requests_and_another_seed_others() {
    let (_, a) = planned(3_000, 11);
    let (_, b) = planned(3_000, 11);
    let (_, c) = planned(3_000, 12);
    assert_eq!(a.len(), 3_000);
    let ka: Vec<String> = a.iter().map(key).collect();
    let kb: Vec<String> = b.iter().map(key).collect();
    let kc: Vec<String> = c.iter().map(key).collect();
    assert_eq!(ka, kb);
    assert_ne!(ka, kc);
}

#[test]
fn requests_are_sorted_and_within_the_three_weeks() {
    let (_, out) = planned(4_000, DEFAULT_SEED);
    let start = window_start();
    let end = start + DAYS * MS_DAY;
    assert!(out.windows(2).all(|w| w[0].ms <= w[1].ms));
    assert!(out.iter().all(|p| (start..end).contains(&p.ms)));
    // Nothing but the window: the first Monday and the last Sunday are both used.
    assert!(out.first().unwrap().ms < start + MS_DAY);
    assert!(out.last().unwrap().ms >= end - MS_DAY);
}

#[test]
fn agents_keep_their_rhythm() {
    let (_, out) = planned(20_000, DEFAULT_SEED);
    let hour = |p: &Planned| (p.ms - window_start()).rem_euclid(MS_DAY) / MS_HOUR;
    let weekday = |p: &Planned| (p.ms - window_start()).div_euclid(MS_DAY) % 7;
    // The nightly loader works from 01:00 (its steps may run on a little).
    let loader: Vec<&Planned> = out
        .iter()
        .filter(|p| p.principal == "warehouse-loader")
        .collect();
    assert!(!loader.is_empty());
    assert!(
        loader.iter().all(|p| (1..5).contains(&hour(p))),
        "a loader request outside the night"
    );
    // Payouts happen on Fridays.
    let payouts: Vec<&Planned> = out
        .iter()
        .filter(|p| p.principal == "payout-runner")
        .collect();
    assert!(!payouts.is_empty());
    assert!(payouts.iter().all(|p| weekday(p) == 4));
    // Support triage works office hours: most of it on weekdays between 07:00 and 19:00.
    let triage: Vec<&Planned> = out
        .iter()
        .filter(|p| p.principal == "support-triage")
        .collect();
    let office = triage
        .iter()
        .filter(|p| weekday(p) < 5 && (7..19).contains(&hour(p)))
        .count();
    assert!(
        office * 10 >= triage.len() * 8,
        "{office} of {}",
        triage.len()
    );
    // The incident commander is busiest while an incident is open.
    let commander: Vec<&Planned> = out
        .iter()
        .filter(|p| p.principal == "incident-commander")
        .collect();
    let during = commander
        .iter()
        .filter(|p| {
            INCIDENTS.iter().any(|(_, day, from, minutes)| {
                let s = window_start() + day * MS_DAY + from * 60_000;
                // Tasks started in the window may run up to a few minutes past it.
                (s..s + (minutes + 15) * 60_000).contains(&p.ms)
            })
        })
        .count();
    assert!(
        during * 10 >= commander.len() * 6,
        "{during} of {}",
        commander.len()
    );
}

#[test]
fn each_mistake_is_in_the_requests_that_carry_its_code() {
    let (loaded, out) = planned(20_000, DEFAULT_SEED);
    let agent = |id: &str| loaded.inventory.agent(id).map(|r| &r.agent);
    let has = |p: &Planned, m: Mistake| p.mistakes & m.bit() != 0;
    let mut seen = BTreeSet::new();
    for p in &out {
        for m in Mistake::ALL {
            if has(p, m) {
                seen.insert(m.code());
            }
        }
        let a = agent(&p.principal);
        if has(p, Mistake::NoTtl) {
            assert_eq!(p.context.ttl_seconds, None);
        }
        if has(p, Mistake::TtlOverCeiling) {
            assert!(p.context.ttl_seconds.unwrap() > a.unwrap().max_ttl_seconds);
        }
        if has(p, Mistake::CredentialNoTask) {
            assert_eq!(p.action, Action::RequestCredential);
            assert_eq!(p.context.task_id, None);
        }
        if has(p, Mistake::Unattested) {
            assert_eq!(p.context.attested, Some(false));
            assert!(a.unwrap().attestation_required);
        }
        if has(p, Mistake::HumanPath) {
            assert_eq!(p.context.issuance_path, Some("human"));
        }
        if has(p, Mistake::ToolOffList) {
            assert!(!a.unwrap().tools.contains(&p.resource), "{}", key(p));
        }
        if has(p, Mistake::DatasetOffList) {
            assert!(!a.unwrap().datasets.contains(&p.resource), "{}", key(p));
        }
        if has(p, Mistake::ModelOffList) {
            assert!(!a.unwrap().models.contains(&p.resource), "{}", key(p));
        }
        if has(p, Mistake::InactiveAgent) {
            assert_ne!(a.unwrap().lifecycle, Lifecycle::Active);
        }
        if has(p, Mistake::UnregisteredAgent) {
            assert!(a.is_none());
        }
        if p.action == Action::RequestCredential && !has(p, Mistake::TtlOverCeiling) {
            if let Some(ttl) = p.context.ttl_seconds {
                assert!(ttl <= a.unwrap().max_ttl_seconds.max(30), "{}", key(p));
            }
        }
    }
    // Over 20,000 requests every kind of mistake occurs.
    let all: BTreeSet<&str> = Mistake::ALL.iter().map(|m| m.code()).collect();
    assert_eq!(seen, all);
}

#[test]
fn the_planted_patterns_are_there_at_their_times() {
    let (_, out) = planned(2_000, DEFAULT_SEED);
    let retries: Vec<&Planned> = out
        .iter()
        .filter(|p| p.context.task_id.as_deref() == Some("task-faq-bot-retry"))
        .collect();
    assert_eq!(retries.len(), 6);
    assert!(retries.iter().all(|p| p.resource == "stripe.refund"));
    assert!(retries.last().unwrap().ms - retries.first().unwrap().ms < 60_000);
    assert_eq!(out.iter().filter(|p| p.principal == "scraper-x").count(), 3);
    assert_eq!(
        out.iter()
            .filter(|p| p.resource == "jenkins.job.run")
            .count(),
        1
    );
    let chain: Vec<u32> = out
        .iter()
        .filter(|p| p.context.task_id.as_deref() == Some("task-refund-chain"))
        .filter_map(|p| p.context.delegation_depth)
        .collect();
    assert_eq!(chain, [1, 2, 3]);
    // Too few requests for them: none planted, the count still exact.
    let (_, few) = planned(20, DEFAULT_SEED);
    assert_eq!(few.len(), 20);
    assert!(few.iter().all(|p| p.principal != "scraper-x"));
}

#[test]
fn a_count_out_of_range_is_refused() {
    let loaded = load().unwrap();
    for requests in [0, MAX_REQUESTS + 1] {
        let err = generate(
            &loaded,
            Options { requests, seed: 1 },
            &mut Vec::new(),
            "out",
        )
        .unwrap_err();
        assert_eq!(err.error_code(), crate::error::ErrorCode::InvalidArgument);
    }
}
