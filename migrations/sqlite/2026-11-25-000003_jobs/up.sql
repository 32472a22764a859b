-- Pipelines, their jobs (GitLab's builds) with their tags and logs, and project CI/CD
-- variables. Job tokens are stored only as SHA-256 digests; variable values only sealed
-- (encrypted by the application).

-- The last pipeline number given in each project: numbers are never reused, even after a
-- pipeline is deleted, and taking the next one is one atomic update of the project's row.
ALTER TABLE projects ADD COLUMN last_pipeline_iid BIGINT NOT NULL DEFAULT 0;

-- `variables` holds the pipeline's variables and `commit_info` what is known of its commit,
-- both as JSON. `lock_version` is bumped by every change of status.
CREATE TABLE pipelines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    iid BIGINT NOT NULL,
    ref_name TEXT NOT NULL,
    sha TEXT NOT NULL,
    before_sha TEXT NOT NULL,
    tag BOOLEAN NOT NULL,
    protected BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    variables TEXT NOT NULL,
    commit_info TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    lock_version BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX pipelines_project_iid ON pipelines (project_id, iid);
-- A project's list in each order it can be sorted by.
CREATE INDEX pipelines_project_id ON pipelines (project_id, id);
CREATE INDEX pipelines_project_status ON pipelines (project_id, status, id);
CREATE INDEX pipelines_project_ref ON pipelines (project_id, ref_name, id);
CREATE INDEX pipelines_project_updated_at ON pipelines (project_id, updated_at, id);
CREATE INDEX pipelines_project_sha ON pipelines (project_id, sha);
CREATE INDEX pipelines_user_id ON pipelines (user_id);

-- `definition` is the job's definition from the CI configuration, as JSON. `tag_count` is the
-- number of its tags (untagged jobs are found without reading `job_tags`). A job is taken by
-- one conditional update from `pending` to `running`, which sets the runner, the machine
-- (`runner_system_id`) and the token's digest.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_id BIGINT NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_index INTEGER NOT NULL,
    status TEXT NOT NULL,
    run_when TEXT NOT NULL,
    allow_failure BOOLEAN NOT NULL,
    definition TEXT NOT NULL,
    tag_count INTEGER NOT NULL,
    protected BOOLEAN NOT NULL,
    ref_name TEXT NOT NULL,
    tag BOOLEAN NOT NULL,
    sha TEXT NOT NULL,
    runner_id BIGINT REFERENCES runners (id) ON DELETE SET NULL,
    runner_system_id TEXT,
    on_instance_runner BOOLEAN NOT NULL DEFAULT 0,
    token_digest TEXT,
    failure_reason TEXT,
    exit_code BIGINT,
    retried BOOLEAN NOT NULL DEFAULT 0,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    trace_size BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    queued_at TIMESTAMP,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX jobs_token_digest ON jobs (token_digest);
-- The queue: pending jobs only, oldest first, overall and per project. Queries must say
-- `status = 'pending'` literally for these to apply.
CREATE INDEX jobs_pending ON jobs (id) WHERE status = 'pending';
CREATE INDEX jobs_pending_project ON jobs (project_id, id) WHERE status = 'pending';
-- Fair scheduling counts the jobs of each project running on instance runners.
CREATE INDEX jobs_running_on_instance ON jobs (project_id, status, on_instance_runner);
CREATE INDEX jobs_pipeline_id ON jobs (pipeline_id, id);
CREATE INDEX jobs_project_id ON jobs (project_id, id);
CREATE INDEX jobs_runner_id ON jobs (runner_id, id);
CREATE INDEX jobs_user_id ON jobs (user_id);

-- A job's tags in the order given (`position`).
CREATE TABLE job_tags (
    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (job_id, name)
);

-- A job's log in the pieces it was sent in; each starts where the log ended
-- (`byte_offset`), so the log is the pieces in that order.
CREATE TABLE job_trace_chunks (
    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    byte_offset BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job_id, byte_offset)
);

-- What a job's log must not show (masked variable values, the job's token), sealed by the
-- application when a runner takes the job, so that any process can hide them.
CREATE TABLE job_secrets (
    job_id BIGINT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL
);

-- One value per key and environment scope; the value sealed by the application.
CREATE TABLE project_variables (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value_sealed BLOB NOT NULL,
    variable_type TEXT NOT NULL,
    protected BOOLEAN NOT NULL,
    masked BOOLEAN NOT NULL,
    raw BOOLEAN NOT NULL,
    environment_scope TEXT NOT NULL,
    description TEXT
);
CREATE UNIQUE INDEX project_variables_project_key_scope
    ON project_variables (project_id, key, environment_scope);
