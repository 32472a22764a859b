//! The harness's smoke run (`paddock-bench --smoke`: every scenario with tiny sizes, on SQLite
//! and, when it answers, PostgreSQL) as part of `cargo test`, so that the harness cannot rot.
//! It asserts that the run completes — that every request the harness relies on is served —
//! and never a timing.

use std::process::Command;

#[test]
fn the_smoke_run_completes_on_every_database() {
    let output = Command::new(env!("CARGO_BIN_EXE_paddock-bench"))
        .arg("--smoke")
        .output()
        .expect("paddock-bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The table, shown with `--nocapture` (and on failure).
    println!("{stdout}");
    assert!(
        output.status.success(),
        "paddock-bench --smoke failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("## SQLite"), "no SQLite table:\n{stdout}");
    if stdout.contains("PostgreSQL: skipped") {
        eprintln!("paddock-bench --smoke: PostgreSQL SKIPPED, the server does not answer");
    } else {
        assert!(
            stdout.contains("## PostgreSQL"),
            "no PostgreSQL table:\n{stdout}"
        );
    }
}
