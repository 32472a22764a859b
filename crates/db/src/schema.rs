//! The one schema of both backends. Types are the portable subset: BigInt ids, Text,
//! Integer, Bool, Timestamp (UTC) and Binary.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        name -> Text,
        email -> Text,
        admin -> Bool,
        state -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    personal_access_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_digest -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        revoked -> Bool,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    namespaces (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        path -> Text,
        full_path -> Text,
        full_name -> Text,
        parent_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        description -> Text,
        visibility -> Text,
        traversal_ids -> Text,
        runners_token_encrypted -> Nullable<Binary>,
        runners_token_digest -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        name -> Text,
        path -> Text,
        description -> Text,
        namespace_id -> BigInt,
        path_with_namespace -> Text,
        name_with_namespace -> Text,
        visibility -> Text,
        default_branch -> Text,
        repository_url -> Nullable<Text>,
        ci_config -> Nullable<Text>,
        shared_runners_enabled -> Bool,
        group_runners_enabled -> Bool,
        creator_id -> Nullable<BigInt>,
        runners_token_encrypted -> Binary,
        runners_token_digest -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_pipeline_iid -> BigInt,
    }
}

diesel::table! {
    members (id) {
        id -> BigInt,
        namespace_id -> Nullable<BigInt>,
        project_id -> Nullable<BigInt>,
        user_id -> BigInt,
        access_level -> Integer,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    protected_branches (id) {
        id -> BigInt,
        project_id -> BigInt,
        name -> Text,
        push_access_level -> Integer,
        merge_access_level -> Integer,
        allow_force_push -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    instance_settings (id) {
        id -> BigInt,
        runners_token_encrypted -> Binary,
        runners_token_digest -> Text,
    }
}

diesel::joinable!(personal_access_tokens -> users (user_id));
diesel::joinable!(projects -> namespaces (namespace_id));
diesel::joinable!(members -> users (user_id));
diesel::joinable!(protected_branches -> projects (project_id));

diesel::table! {
    runners (id) {
        id -> BigInt,
        runner_type -> Text,
        group_id -> Nullable<BigInt>,
        description -> Text,
        maintenance_note -> Text,
        active -> Bool,
        locked -> Bool,
        run_untagged -> Bool,
        access_level -> Text,
        maximum_timeout -> Nullable<BigInt>,
        name -> Nullable<Text>,
        token_digest -> Text,
        token_expires_at -> Nullable<Timestamp>,
        registration_type -> Text,
        contacted_at -> Nullable<Timestamp>,
        creator_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    runner_tags (runner_id, name) {
        runner_id -> BigInt,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    runner_projects (id) {
        id -> BigInt,
        runner_id -> BigInt,
        project_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    runner_managers (id) {
        id -> BigInt,
        runner_id -> BigInt,
        system_id -> Text,
        name -> Nullable<Text>,
        version -> Nullable<Text>,
        revision -> Nullable<Text>,
        platform -> Nullable<Text>,
        architecture -> Nullable<Text>,
        executor -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        contacted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(runner_tags -> runners (runner_id));
diesel::joinable!(runner_projects -> runners (runner_id));
diesel::joinable!(runner_managers -> runners (runner_id));

diesel::table! {
    pipelines (id) {
        id -> BigInt,
        project_id -> BigInt,
        iid -> BigInt,
        ref_name -> Text,
        sha -> Text,
        before_sha -> Text,
        tag -> Bool,
        protected -> Bool,
        source -> Text,
        status -> Text,
        user_id -> Nullable<BigInt>,
        variables -> Text,
        commit_info -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        lock_version -> BigInt,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        pipeline_id -> BigInt,
        project_id -> BigInt,
        name -> Text,
        stage -> Text,
        stage_index -> Integer,
        status -> Text,
        run_when -> Text,
        allow_failure -> Bool,
        definition -> Text,
        tag_count -> Integer,
        protected -> Bool,
        ref_name -> Text,
        tag -> Bool,
        sha -> Text,
        runner_id -> Nullable<BigInt>,
        runner_system_id -> Nullable<Text>,
        on_instance_runner -> Bool,
        token_digest -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        exit_code -> Nullable<BigInt>,
        retried -> Bool,
        user_id -> Nullable<BigInt>,
        trace_size -> BigInt,
        created_at -> Timestamp,
        queued_at -> Nullable<Timestamp>,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        deadline_at -> Nullable<Timestamp>,
        cancel_gracefully -> Bool,
        finish_requested_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_tags (job_id, name) {
        job_id -> BigInt,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    job_trace_chunks (job_id, byte_offset) {
        job_id -> BigInt,
        byte_offset -> BigInt,
        data -> Binary,
    }
}

diesel::table! {
    job_secrets (job_id) {
        job_id -> BigInt,
        sealed -> Binary,
    }
}

diesel::table! {
    project_variables (id) {
        id -> BigInt,
        project_id -> BigInt,
        key -> Text,
        value_sealed -> Binary,
        variable_type -> Text,
        protected -> Bool,
        masked -> Bool,
        raw -> Bool,
        environment_scope -> Text,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    job_artifacts (job_id, artifact_type) {
        job_id -> BigInt,
        artifact_type -> Text,
        artifact_format -> Text,
        filename -> Text,
        size -> BigInt,
        sha256 -> Text,
        expire_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        store_key -> Text,
    }
}

diesel::joinable!(pipelines -> projects (project_id));
diesel::joinable!(jobs -> pipelines (pipeline_id));
diesel::joinable!(jobs -> projects (project_id));
diesel::joinable!(jobs -> runners (runner_id));
diesel::joinable!(job_tags -> jobs (job_id));
diesel::joinable!(job_trace_chunks -> jobs (job_id));
diesel::joinable!(job_secrets -> jobs (job_id));
diesel::joinable!(project_variables -> projects (project_id));
diesel::joinable!(job_artifacts -> jobs (job_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    personal_access_tokens,
    namespaces,
    projects,
    members,
    protected_branches,
    instance_settings,
    runners,
    runner_tags,
    runner_projects,
    runner_managers,
    pipelines,
    jobs,
    job_tags,
    job_trace_chunks,
    job_secrets,
    project_variables,
    job_artifacts,
);
