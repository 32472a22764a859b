-- Users, personal access tokens, namespaces (groups and personal namespaces), projects,
-- memberships, protected branches and instance settings.
-- Timestamps are UTC. Tokens are stored as SHA-256 digests; registration tokens are also kept
-- encrypted (AES-256-GCM) because users must be able to read them again.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    admin BOOLEAN NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'active',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

CREATE TABLE personal_access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    revoked BOOLEAN NOT NULL DEFAULT 0,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX personal_access_tokens_token_digest ON personal_access_tokens (token_digest);
CREATE INDEX personal_access_tokens_user_id ON personal_access_tokens (user_id);

CREATE TABLE namespaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    full_path TEXT NOT NULL,
    full_name TEXT NOT NULL,
    parent_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
    owner_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,
    traversal_ids TEXT NOT NULL,
    runners_token_encrypted BLOB,
    runners_token_digest TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX namespaces_full_path_lower ON namespaces (lower(full_path));
CREATE UNIQUE INDEX namespaces_runners_token_digest ON namespaces (runners_token_digest);
CREATE INDEX namespaces_parent_id ON namespaces (parent_id);
CREATE INDEX namespaces_owner_id ON namespaces (owner_id);
CREATE INDEX namespaces_traversal_ids ON namespaces (traversal_ids);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    namespace_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
    path_with_namespace TEXT NOT NULL,
    name_with_namespace TEXT NOT NULL,
    visibility TEXT NOT NULL,
    default_branch TEXT NOT NULL,
    repository_url TEXT,
    ci_config TEXT,
    shared_runners_enabled BOOLEAN NOT NULL DEFAULT 1,
    group_runners_enabled BOOLEAN NOT NULL DEFAULT 1,
    creator_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    runners_token_encrypted BLOB NOT NULL,
    runners_token_digest TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX projects_path_with_namespace_lower ON projects (lower(path_with_namespace));
CREATE UNIQUE INDEX projects_namespace_name_lower ON projects (namespace_id, lower(name));
CREATE UNIQUE INDEX projects_runners_token_digest ON projects (runners_token_digest);
CREATE INDEX projects_created_at ON projects (created_at);

-- A membership is of a group (namespace_id) or of a project (project_id), never both.
CREATE TABLE members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
    project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_level INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    CHECK ((namespace_id IS NULL) <> (project_id IS NULL))
);
CREATE UNIQUE INDEX members_namespace_user ON members (namespace_id, user_id);
CREATE UNIQUE INDEX members_project_user ON members (project_id, user_id);
CREATE INDEX members_user_id ON members (user_id);

CREATE TABLE protected_branches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    push_access_level INTEGER NOT NULL,
    merge_access_level INTEGER NOT NULL,
    allow_force_push BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX protected_branches_project_name ON protected_branches (project_id, name);

-- One row (id = 1).
CREATE TABLE instance_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    runners_token_encrypted BLOB NOT NULL,
    runners_token_digest TEXT NOT NULL
);
