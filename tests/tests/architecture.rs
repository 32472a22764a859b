//! The hexagon's dependency rule, checked on the real dependency graph (`cargo metadata`):
//! arrows point inward only, and the pure crates carry no IO framework.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};
use std::process::Command;
use std::sync::OnceLock;

use paddock_tests::serde_json::Value;
use paddock_tests::workspace_root;

/// The host's target triple, from `rustc -vV`.
fn host() -> String {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("a host line")
        .to_owned()
}

/// The resolved dependency graph for this host, computed once.
fn metadata() -> &'static Value {
    static METADATA: OnceLock<Value> = OnceLock::new();
    METADATA.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--filter-platform",
                &host(),
            ])
            .current_dir(workspace_root())
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        paddock_tests::serde_json::from_slice(&output.stdout).expect("JSON")
    })
}

/// Every package reachable from `root` through normal (non-dev) dependencies.
fn reachable(root: &str) -> BTreeSet<String> {
    let metadata = metadata();
    let names: HashMap<&str, &str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: HashMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            let deps = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|kind| kind["kind"].is_null())
                })
                .map(|dep| dep["pkg"].as_str().unwrap())
                .collect();
            (node["id"].as_str().unwrap(), deps)
        })
        .collect();
    let start = names
        .iter()
        .find(|(_, name)| **name == root)
        .map(|(id, _)| *id)
        .expect("the package");
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        if seen.insert(names[id].to_owned()) {
            stack.extend(nodes.get(id).into_iter().flatten().copied());
        }
    }
    seen.remove(root);
    seen
}

fn assert_free_of(package: &str, forbidden: &[&str]) {
    let deps = reachable(package);
    let found: Vec<&String> = deps
        .iter()
        .filter(|d| {
            forbidden.iter().any(|f| {
                d == f || d.starts_with(&format!("{f}-")) || d.starts_with(&format!("{f}_"))
            })
        })
        .collect();
    assert!(found.is_empty(), "{package} must not depend on {found:?}");
}

const FRAMEWORKS: [&str; 6] = ["diesel", "actix", "tokio", "serde_json", "reqwest", "hyper"];

#[test]
fn the_domain_depends_on_no_framework_and_nothing_of_ours() {
    assert_free_of("paddock-domain", &FRAMEWORKS);
    assert!(
        reachable("paddock-domain")
            .iter()
            .all(|d| !d.starts_with("paddock-"))
    );
}

#[test]
fn ports_depend_only_on_the_domain() {
    assert_free_of("paddock-ports", &FRAMEWORKS);
    let ours: Vec<String> = reachable("paddock-ports")
        .into_iter()
        .filter(|d| d.starts_with("paddock-"))
        .collect();
    assert_eq!(ours, ["paddock-domain"]);
}

#[test]
fn the_use_cases_know_no_adapter() {
    assert_free_of("paddock-app", &FRAMEWORKS);
    let ours: Vec<String> = reachable("paddock-app")
        .into_iter()
        .filter(|d| d.starts_with("paddock-"))
        .collect();
    assert_eq!(ours, ["paddock-domain", "paddock-ports"]);
}

#[test]
fn adapters_reach_the_core_through_the_ports_only() {
    for adapter in ["paddock-db", "paddock-http"] {
        let ours: Vec<String> = reachable(adapter)
            .into_iter()
            .filter(|d| d.starts_with("paddock-"))
            .collect();
        assert_eq!(ours, ["paddock-domain", "paddock-ports"], "{adapter}");
    }
    // The database adapter stores some values as JSON text (job definitions), so serde_json is
    // storage there; no web framework is.
    assert_free_of("paddock-db", &["actix", "hyper", "reqwest"]);
    assert_free_of("paddock-http", &["diesel"]);
}
