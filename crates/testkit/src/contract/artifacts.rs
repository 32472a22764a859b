//! Job artifacts: one per job and type, read back whole, listed for many jobs, expired ones
//! found soonest first, removed with their job.

use paddock_domain::JobId;
use paddock_domain::job::Job;
use paddock_domain::job::artifact::{Artifact, ArtifactFormat, ArtifactType};
use paddock_ports::outbound::Outbound;

use super::pipelines::pending_job;
use super::{conflict, group, now, project, secs, user};

/// The archive of a job, kept under `key`, never expiring.
fn archive(out: &Outbound, job: &Job, key: &str) -> Artifact {
    Artifact {
        job_id: job.id,
        artifact_type: ArtifactType::Archive,
        format: ArtifactFormat::Zip,
        filename: "artifacts.zip".to_owned(),
        size: 1234,
        sha256: "ab".repeat(32),
        expire_at: None,
        created_at: now(out),
        store_key: key.to_owned(),
    }
}

fn junit(out: &Outbound, job: &Job, key: &str) -> Artifact {
    Artifact {
        artifact_type: ArtifactType::Junit,
        format: ArtifactFormat::Gzip,
        filename: "junit.xml.gz".to_owned(),
        ..archive(out, job, key)
    }
}

pub fn artifacts_are_created_once_per_job_and_type_and_read_back(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let other = pending_job(out, &app, "test");
    let stored = Artifact {
        size: 5_000_000_000,
        expire_at: Some(now(out) + secs(3600)),
        filename: "ünïcode build.zip".to_owned(),
        ..archive(out, &job, "k/1")
    };
    assert_eq!(out.artifacts.create_artifact(&stored), Ok(()));
    assert_eq!(
        out.artifacts.artifact(job.id, ArtifactType::Archive),
        Ok(Some(stored.clone()))
    );
    assert_eq!(
        out.artifacts.artifact(job.id, ArtifactType::Junit),
        Ok(None)
    );
    assert_eq!(
        out.artifacts.artifact(other.id, ArtifactType::Archive),
        Ok(None)
    );
    // One per type: a second archive conflicts, a report of another type does not.
    assert_eq!(
        out.artifacts.create_artifact(&archive(out, &job, "k/2")),
        Err(conflict("artifact_type"))
    );
    assert_eq!(
        out.artifacts.create_artifact(&junit(out, &job, "k/3")),
        Ok(())
    );
    assert_eq!(
        out.artifacts.create_artifact(&archive(out, &other, "k/4")),
        Ok(())
    );
    // A job that does not exist.
    let missing = Artifact {
        job_id: JobId(other.id.0 + 1000),
        ..archive(out, &job, "k/5")
    };
    assert_eq!(
        out.artifacts.create_artifact(&missing),
        Err(conflict("reference"))
    );
}

pub fn artifacts_of_several_jobs_are_read_together_by_job_and_type(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let a = pending_job(out, &app, "a");
    let b = pending_job(out, &app, "b");
    let c = pending_job(out, &app, "c");
    out.artifacts
        .create_artifact(&junit(out, &b, "b/j"))
        .unwrap();
    out.artifacts
        .create_artifact(&archive(out, &b, "b/a"))
        .unwrap();
    out.artifacts
        .create_artifact(&archive(out, &a, "a/a"))
        .unwrap();
    out.artifacts
        .create_artifact(&archive(out, &c, "c/a"))
        .unwrap();
    let keys = |jobs: &[JobId]| -> Vec<String> {
        out.artifacts
            .artifacts_of(jobs)
            .unwrap()
            .into_iter()
            .map(|a| a.store_key)
            .collect()
    };
    assert_eq!(keys(&[b.id, a.id]), ["a/a", "b/a", "b/j"]);
    assert_eq!(keys(&[c.id]), ["c/a"]);
    assert!(keys(&[]).is_empty());
}

pub fn expired_artifacts_are_found_soonest_first_and_limited(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let at = now(out);
    let jobs: Vec<Job> = (0..4)
        .map(|i| pending_job(out, &app, &format!("job{i}")))
        .collect();
    let expiring = |job: &Job, key: &str, expire_at| Artifact {
        expire_at,
        ..archive(out, job, key)
    };
    for artifact in [
        expiring(&jobs[0], "late", Some(at - secs(10))),
        expiring(&jobs[1], "never", None),
        expiring(&jobs[2], "early", Some(at - secs(100))),
        expiring(&jobs[3], "future", Some(at + secs(10))),
    ] {
        out.artifacts.create_artifact(&artifact).unwrap();
    }
    let keys = |limit| -> Vec<String> {
        out.artifacts
            .expired_artifacts(at, limit)
            .unwrap()
            .into_iter()
            .map(|a| a.store_key)
            .collect()
    };
    assert_eq!(keys(10), ["early", "late"]);
    assert_eq!(keys(1), ["early"]);
    // Expiring exactly now counts.
    assert_eq!(
        out.artifacts
            .expired_artifacts(at + secs(10), 10)
            .unwrap()
            .len(),
        3
    );
}

pub fn artifacts_are_deleted_one_by_key_or_all_of_a_job(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let other = pending_job(out, &app, "test");
    out.artifacts
        .create_artifact(&archive(out, &job, "k/a"))
        .unwrap();
    out.artifacts
        .create_artifact(&junit(out, &job, "k/j"))
        .unwrap();
    out.artifacts
        .create_artifact(&archive(out, &other, "o/a"))
        .unwrap();
    // Only while the key is still the one read.
    assert_eq!(
        out.artifacts
            .delete_artifact(job.id, ArtifactType::Archive, "k/other"),
        Ok(false)
    );
    assert_eq!(
        out.artifacts
            .delete_artifact(job.id, ArtifactType::Archive, "k/a"),
        Ok(true)
    );
    assert_eq!(
        out.artifacts.artifact(job.id, ArtifactType::Archive),
        Ok(None)
    );
    out.artifacts
        .create_artifact(&archive(out, &job, "k/a2"))
        .unwrap();
    let gone: Vec<String> = out
        .artifacts
        .delete_artifacts(job.id)
        .unwrap()
        .into_iter()
        .map(|a| a.store_key)
        .collect();
    assert_eq!(gone, ["k/a2", "k/j"]);
    assert_eq!(out.artifacts.artifacts_of(&[job.id]), Ok(vec![]));
    assert_eq!(out.artifacts.delete_artifacts(job.id), Ok(vec![]));
    assert!(
        out.artifacts
            .artifact(other.id, ArtifactType::Archive)
            .unwrap()
            .is_some()
    );
}

pub fn artifacts_of_a_project_are_read_together(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let a = pending_job(out, &app, "a");
    let b = pending_job(out, &app, "b");
    let c = pending_job(out, &lib, "c");
    out.artifacts
        .create_artifact(&junit(out, &b, "b/j"))
        .unwrap();
    out.artifacts
        .create_artifact(&archive(out, &a, "a/a"))
        .unwrap();
    out.artifacts
        .create_artifact(&archive(out, &c, "c/a"))
        .unwrap();
    let keys = |project| -> Vec<String> {
        out.artifacts
            .project_artifacts(project)
            .unwrap()
            .into_iter()
            .map(|a| a.store_key)
            .collect()
    };
    assert_eq!(keys(app.id), ["a/a", "b/j"]);
    assert_eq!(keys(lib.id), ["c/a"]);
}

pub fn artifacts_go_with_their_job(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let job = pending_job(out, &app, "build");
    let kept = pending_job(out, &lib, "build");
    out.artifacts
        .create_artifact(&archive(out, &job, "k/a"))
        .unwrap();
    out.artifacts
        .create_artifact(&archive(out, &kept, "k/b"))
        .unwrap();
    assert_eq!(out.pipelines.delete_pipeline(job.pipeline_id), Ok(true));
    assert_eq!(
        out.artifacts.artifact(job.id, ArtifactType::Archive),
        Ok(None)
    );
    let again = pending_job(out, &app, "build");
    out.artifacts
        .create_artifact(&archive(out, &again, "k/c"))
        .unwrap();
    assert_eq!(out.projects.delete_project(app.id), Ok(true));
    assert_eq!(out.artifacts.artifacts_of(&[again.id]), Ok(vec![]));
    assert!(
        out.artifacts
            .artifact(kept.id, ArtifactType::Archive)
            .unwrap()
            .is_some()
    );
}
