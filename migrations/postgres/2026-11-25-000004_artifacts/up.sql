-- Job artifacts: what is known of each file a job uploaded (the file itself is in the artifact
-- store, under `store_key`). One artifact per job and type; they go with their job.
CREATE TABLE job_artifacts (
    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    artifact_type TEXT NOT NULL,
    artifact_format TEXT NOT NULL,
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    expire_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    store_key TEXT NOT NULL,
    PRIMARY KEY (job_id, artifact_type)
);
-- Expiry finds the artifacts whose time has come, soonest first.
CREATE INDEX job_artifacts_expire_at ON job_artifacts (expire_at) WHERE expire_at IS NOT NULL;
