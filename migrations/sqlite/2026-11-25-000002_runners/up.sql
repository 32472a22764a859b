-- Runners, their tags, their projects and their managers (one per machine, `system_id`).
-- Runner authentication tokens are stored only as SHA-256 digests.

CREATE TABLE runners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    runner_type TEXT NOT NULL,
    group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    maintenance_note TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL,
    locked BOOLEAN NOT NULL,
    run_untagged BOOLEAN NOT NULL,
    access_level TEXT NOT NULL,
    maximum_timeout BIGINT,
    name TEXT,
    token_digest TEXT NOT NULL,
    token_expires_at TIMESTAMP,
    registration_type TEXT NOT NULL,
    contacted_at TIMESTAMP,
    creator_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX runners_token_digest ON runners (token_digest);
CREATE INDEX runners_group_id ON runners (group_id);
CREATE INDEX runners_runner_type ON runners (runner_type, id);
CREATE INDEX runners_contacted_at ON runners (contacted_at);

-- Tags in the order given (`position`).
CREATE TABLE runner_tags (
    runner_id BIGINT NOT NULL REFERENCES runners (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (runner_id, name)
);
CREATE INDEX runner_tags_name ON runner_tags (name, runner_id);

-- Projects of project runners, in the order of assignment.
CREATE TABLE runner_projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    runner_id BIGINT NOT NULL REFERENCES runners (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX runner_projects_runner_project ON runner_projects (runner_id, project_id);
CREATE INDEX runner_projects_project_id ON runner_projects (project_id);

CREATE TABLE runner_managers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    runner_id BIGINT NOT NULL REFERENCES runners (id) ON DELETE CASCADE,
    system_id TEXT NOT NULL,
    name TEXT,
    version TEXT,
    revision TEXT,
    platform TEXT,
    architecture TEXT,
    executor TEXT,
    ip_address TEXT,
    contacted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX runner_managers_runner_system ON runner_managers (runner_id, system_id);
CREATE INDEX runner_managers_version ON runner_managers (version);
