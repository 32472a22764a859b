//! Project CI/CD variables: sealed values, one per key, lists by key, partial updates.

use paddock_domain::ProjectId;
use paddock_domain::project::Project;
use paddock_domain::variable::VariableType;
use paddock_ports::outbound::{NewVariable, Outbound, StoredVariable, VariableChanges};

use super::{conflict, everything, group, page, project, user};

/// A plain variable of the project whose sealed value is `sealed:<key>`.
fn new_variable(project: &Project, key: &str) -> NewVariable {
    NewVariable {
        project_id: project.id,
        key: key.to_owned(),
        sealed_value: format!("sealed:{key}").into_bytes(),
        variable_type: VariableType::EnvVar,
        protected: false,
        masked: false,
        raw: false,
        environment_scope: "*".to_owned(),
        description: None,
    }
}

/// A plain variable of the project (see [`new_variable`]).
pub(super) fn variable(out: &Outbound, project: &Project, key: &str) -> StoredVariable {
    out.variables
        .create_variable(new_variable(project, key))
        .expect("create a variable")
}

fn keys(out: &Outbound, project: &Project) -> Vec<String> {
    let found = out
        .variables
        .variables(project.id, everything())
        .expect("list variables");
    assert_eq!(
        found.total,
        found.items.len() as u64,
        "the total counts the list"
    );
    found.items.into_iter().map(|v| v.key).collect()
}

pub fn variables_are_created_and_read_back_with_sealed_values(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    // Sealed values are bytes, not text.
    let sealed = vec![0x00, 0xff, 0x10, 0x80, b's', 0xfe];
    let new = NewVariable {
        sealed_value: sealed.clone(),
        variable_type: VariableType::File,
        protected: true,
        masked: true,
        raw: true,
        description: Some("Deploy key, ünïcode".to_owned()),
        ..new_variable(&app, "DEPLOY_KEY")
    };
    let created = out.variables.create_variable(new).unwrap();
    let expected = StoredVariable {
        id: created.id,
        project_id: app.id,
        key: "DEPLOY_KEY".to_owned(),
        sealed_value: sealed,
        variable_type: VariableType::File,
        protected: true,
        masked: true,
        raw: true,
        environment_scope: "*".to_owned(),
        description: Some("Deploy key, ünïcode".to_owned()),
    };
    assert_eq!(created, expected);
    assert_eq!(
        out.variables.variable(app.id, "DEPLOY_KEY"),
        Ok(Some(expected.clone()))
    );
    let plain = variable(out, &app, "PLAIN");
    assert_ne!(plain.id, created.id);
    assert_eq!(
        plain,
        StoredVariable {
            id: plain.id,
            project_id: app.id,
            key: "PLAIN".to_owned(),
            sealed_value: b"sealed:PLAIN".to_vec(),
            variable_type: VariableType::EnvVar,
            protected: false,
            masked: false,
            raw: false,
            environment_scope: "*".to_owned(),
            description: None,
        }
    );
    assert_eq!(out.variables.variable(lib.id, "DEPLOY_KEY"), Ok(None));
    assert_eq!(out.variables.variable(app.id, "MISSING"), Ok(None));
    assert_eq!(
        out.variables.all_variables(app.id),
        Ok(vec![expected, plain])
    );
}

pub fn variable_keys_are_unique_per_project_and_case_sensitive(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let first = variable(out, &app, "TOKEN");
    let again = NewVariable {
        sealed_value: b"other".to_vec(),
        ..new_variable(&app, "TOKEN")
    };
    assert_eq!(
        out.variables.create_variable(again.clone()),
        Err(conflict("variable_key"))
    );
    assert_eq!(out.variables.variable(app.id, "TOKEN"), Ok(Some(first)));
    // Another project, or another case, is another key.
    variable(out, &lib, "TOKEN");
    let lower = variable(out, &app, "token");
    assert_eq!(out.variables.variable(app.id, "token"), Ok(Some(lower)));
    assert_eq!(keys(out, &app), ["TOKEN", "token"]);
    // A deleted key can be used again.
    assert_eq!(out.variables.delete_variable(app.id, "TOKEN"), Ok(true));
    let recreated = out.variables.create_variable(again).unwrap();
    assert_eq!(recreated.sealed_value, b"other");
}

pub fn creating_a_variable_in_a_missing_project_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let gone = project(out, &owner, &team, "gone");
    assert_eq!(out.projects.delete_project(gone.id), Ok(true));
    let missing = Project {
        id: ProjectId(app.id.0 + 1000),
        ..app.clone()
    };
    for p in [&gone, &missing] {
        assert_eq!(
            out.variables.create_variable(new_variable(p, "KEY")),
            Err(conflict("reference"))
        );
        assert_eq!(out.variables.variable(p.id, "KEY"), Ok(None));
    }
    variable(out, &app, "KEY");
}

pub fn variables_are_listed_by_key_in_pages(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    for key in ["CHARLIE", "ALPHA", "ECHO", "BRAVO", "DELTA"] {
        variable(out, &app, key);
    }
    variable(out, &lib, "AAA");
    assert_eq!(
        keys(out, &app),
        ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO"]
    );
    assert_eq!(keys(out, &lib), ["AAA"]);
    let list = |number: i64, per_page: i64| {
        let found = out
            .variables
            .variables(app.id, page(number, per_page))
            .unwrap();
        let keys: Vec<String> = found.items.into_iter().map(|v| v.key).collect();
        (keys, found.total)
    };
    assert_eq!(
        list(2, 2),
        (vec!["CHARLIE".to_owned(), "DELTA".to_owned()], 5)
    );
    assert_eq!(list(3, 2), (vec!["ECHO".to_owned()], 5));
    assert_eq!(list(4, 2), (vec![], 5));
    let all: Vec<String> = out
        .variables
        .all_variables(app.id)
        .unwrap()
        .into_iter()
        .map(|v| v.key)
        .collect();
    assert_eq!(all, ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO"]);
    let missing = ProjectId(lib.id.0 + 1000);
    assert_eq!(out.variables.all_variables(missing), Ok(Vec::new()));
    assert_eq!(
        out.variables
            .variables(missing, everything())
            .map(|p| p.total),
        Ok(0)
    );
}

pub fn updating_a_variable_changes_only_the_given_fields(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let new = NewVariable {
        description: Some("first".to_owned()),
        ..new_variable(&app, "KEY")
    };
    let original = out.variables.create_variable(new).unwrap();
    let elsewhere = variable(out, &lib, "KEY");
    let update = |changes: &VariableChanges| {
        out.variables
            .update_variable(app.id, "KEY", changes)
            .unwrap()
            .expect("the variable exists")
    };

    assert_eq!(update(&VariableChanges::default()), original);
    let value = VariableChanges {
        sealed_value: Some(vec![1, 2, 3, 0xff]),
        ..VariableChanges::default()
    };
    let expected = StoredVariable {
        sealed_value: vec![1, 2, 3, 0xff],
        ..original.clone()
    };
    assert_eq!(update(&value), expected);
    let flags = VariableChanges {
        variable_type: Some(VariableType::File),
        protected: Some(true),
        masked: Some(true),
        raw: Some(true),
        ..VariableChanges::default()
    };
    let expected = StoredVariable {
        variable_type: VariableType::File,
        protected: true,
        masked: true,
        raw: true,
        ..expected
    };
    assert_eq!(update(&flags), expected);
    let described = VariableChanges {
        description: Some(Some("second".to_owned())),
        ..VariableChanges::default()
    };
    let expected = StoredVariable {
        description: Some("second".to_owned()),
        ..expected
    };
    assert_eq!(update(&described), expected);
    let cleared = VariableChanges {
        description: Some(None),
        masked: Some(false),
        ..VariableChanges::default()
    };
    let expected = StoredVariable {
        description: None,
        masked: false,
        ..expected
    };
    assert_eq!(update(&cleared), expected);
    assert_eq!(
        out.variables.variable(app.id, "KEY"),
        Ok(Some(expected.clone()))
    );
    assert_eq!(expected.id, original.id);

    assert_eq!(out.variables.variable(lib.id, "KEY"), Ok(Some(elsewhere)));
    assert_eq!(
        out.variables.update_variable(app.id, "MISSING", &value),
        Ok(None)
    );
    let missing = ProjectId(lib.id.0 + 1000);
    assert_eq!(
        out.variables.update_variable(missing, "KEY", &value),
        Ok(None)
    );
}

pub fn variables_are_deleted_by_key(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    variable(out, &app, "FIRST");
    let second = variable(out, &app, "SECOND");
    let elsewhere = variable(out, &lib, "FIRST");
    assert_eq!(out.variables.delete_variable(app.id, "FIRST"), Ok(true));
    assert_eq!(out.variables.delete_variable(app.id, "FIRST"), Ok(false));
    assert_eq!(out.variables.variable(app.id, "FIRST"), Ok(None));
    assert_eq!(out.variables.all_variables(app.id), Ok(vec![second]));
    assert_eq!(out.variables.variable(lib.id, "FIRST"), Ok(Some(elsewhere)));
    let missing = ProjectId(lib.id.0 + 1000);
    assert_eq!(out.variables.delete_variable(missing, "FIRST"), Ok(false));
}
