//! The public API end to end: from YAML text to job definitions or lint errors.

use super::*;

fn errors(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(config) => panic!("expected errors, parsed {config:#?}"),
        Err(errors) => errors,
    }
}

fn config(text: &str) -> CiConfig {
    match parse(text) {
        Ok(config) => config,
        Err(errors) => panic!("expected a valid configuration, got {errors:#?}"),
    }
}

fn job(text: &str, name: &str) -> JobDefinition {
    let config = config(text);
    config
        .jobs
        .into_iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no job {name}"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn variable(key: &str, value: &str) -> Variable {
    Variable {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

fn image(name: &str) -> Image {
    Image {
        name: name.to_owned(),
        alias: None,
        entrypoint: None,
        command: None,
    }
}

fn need(job: &str, artifacts: bool) -> Need {
    Need {
        job: job.to_owned(),
        artifacts,
    }
}

fn cache(key: Option<&str>, paths: &[&str]) -> Cache {
    Cache {
        key: key.map(str::to_owned),
        paths: strings(paths),
        untracked: false,
        policy: "pull-push".to_owned(),
        when: "on_success".to_owned(),
        fallback_keys: Vec::new(),
    }
}

/// A job with nothing but a script, as the defaults leave it.
fn plain(name: &str, stage: &str, stage_index: usize, script: &[&str]) -> JobDefinition {
    JobDefinition {
        name: name.to_owned(),
        stage: stage.to_owned(),
        stage_index,
        script: strings(script),
        before_script: Vec::new(),
        after_script: Vec::new(),
        image: None,
        services: Vec::new(),
        variables: Vec::new(),
        tags: Vec::new(),
        artifacts: None,
        cache: Vec::new(),
        dependencies: None,
        needs: None,
        timeout: None,
        allow_failure: AllowFailure::No,
        when: When::OnSuccess,
    }
}

const REALISTIC: &str = r#"
stages:
  - build
  - test
  - deploy

variables:
  RUST_BACKTRACE: 1
  CARGO_HOME: $CI_PROJECT_DIR/.cargo
  RATIO: 1.5
  DEBUG: false
  DEPLOY_ENV:
    value: staging
    description: Where to deploy

default:
  image: rust:1.95
  before_script:
    - rustc --version
  tags: [docker, linux]
  timeout: 1h
  cache:
    key: cargo
    paths: [.cargo/registry, target/]

.with-services: &with-services
  services:
    - postgres:16
    - name: redis:7
      alias: cache
      entrypoint: [redis-server]
      command: [--appendonly, "yes"]
  variables:
    POSTGRES_PASSWORD: secret

build:
  stage: build
  script:
    - cargo build --release
  artifacts:
    name: binary
    paths: [target/release/paddock]
    exclude: [target/release/*.d]
    expire_in: 1 week

unit:
  <<: *with-services
  script: cargo test
  needs: [build]

lint:
  stage: test
  image:
    name: rust:1.95-slim
    entrypoint: [""]
  script:
    - cargo clippy
    - [cargo fmt --check, cargo doc]
  before_script: []
  tags: [arm]
  cache: []
  timeout: 10 minutes
  allow_failure:
    exit_codes: [1, 2]
  needs:
    - job: build
      artifacts: false

deploy:
  stage: deploy
  script: ./deploy.sh
  dependencies: [build]
  when: manual
  after_script: echo done
  variables:
    TARGET: production
  cache:
    - key:
        files: [Cargo.lock, Cargo.toml]
      paths: [vendor/]
      policy: pull
      when: always
      untracked: true
      fallback_keys: [cargo]
  artifacts:
    untracked: true
    when: on_failure
    expire_in: never

cleanup:
  stage: .post
  script: echo cleanup
  when: always
  allow_failure: true
"#;

#[test]
fn a_realistic_configuration() {
    let config = config(REALISTIC);
    assert_eq!(
        config.stages,
        strings(&[".pre", "build", "test", "deploy", ".post"])
    );
    assert_eq!(
        config.variables,
        vec![
            variable("RUST_BACKTRACE", "1"),
            variable("CARGO_HOME", "$CI_PROJECT_DIR/.cargo"),
            variable("RATIO", "1.5"),
            variable("DEBUG", "false"),
            variable("DEPLOY_ENV", "staging"),
        ]
    );
    let names: Vec<&str> = config.jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["build", "unit", "lint", "deploy", "cleanup"]);

    let inherited = |name: &str, stage: &str, stage_index: usize, script: &[&str]| JobDefinition {
        image: Some(image("rust:1.95")),
        before_script: strings(&["rustc --version"]),
        tags: strings(&["docker", "linux"]),
        timeout: Some(3600),
        cache: vec![cache(Some("cargo"), &[".cargo/registry", "target/"])],
        ..plain(name, stage, stage_index, script)
    };
    let services = vec![
        image("postgres:16"),
        Image {
            name: "redis:7".to_owned(),
            alias: Some("cache".to_owned()),
            entrypoint: Some(strings(&["redis-server"])),
            command: Some(strings(&["--appendonly", "yes"])),
        },
    ];
    let want = vec![
        JobDefinition {
            artifacts: Some(Artifacts {
                name: Some("binary".to_owned()),
                paths: strings(&["target/release/paddock"]),
                exclude: strings(&["target/release/*.d"]),
                untracked: false,
                when: ArtifactsWhen::OnSuccess,
                expire_in: Some("1 week".to_owned()),
            }),
            ..inherited("build", "build", 1, &["cargo build --release"])
        },
        JobDefinition {
            services,
            variables: vec![variable("POSTGRES_PASSWORD", "secret")],
            needs: Some(vec![need("build", true)]),
            ..inherited("unit", "test", 2, &["cargo test"])
        },
        JobDefinition {
            image: Some(Image {
                entrypoint: Some(strings(&[""])),
                ..image("rust:1.95-slim")
            }),
            before_script: Vec::new(),
            tags: strings(&["arm"]),
            cache: Vec::new(),
            timeout: Some(600),
            allow_failure: AllowFailure::ExitCodes(vec![1, 2]),
            needs: Some(vec![need("build", false)]),
            ..inherited(
                "lint",
                "test",
                2,
                &["cargo clippy", "cargo fmt --check", "cargo doc"],
            )
        },
        JobDefinition {
            dependencies: Some(strings(&["build"])),
            when: When::Manual,
            allow_failure: AllowFailure::Yes,
            after_script: strings(&["echo done"]),
            variables: vec![variable("TARGET", "production")],
            cache: vec![Cache {
                key: Some("Cargo.lock,Cargo.toml".to_owned()),
                untracked: true,
                policy: "pull".to_owned(),
                when: "always".to_owned(),
                fallback_keys: strings(&["cargo"]),
                ..cache(None, &["vendor/"])
            }],
            artifacts: Some(Artifacts {
                name: None,
                paths: Vec::new(),
                exclude: Vec::new(),
                untracked: true,
                when: ArtifactsWhen::OnFailure,
                expire_in: Some("never".to_owned()),
            }),
            ..inherited("deploy", "deploy", 3, &["./deploy.sh"])
        },
        JobDefinition {
            when: When::Always,
            allow_failure: AllowFailure::Yes,
            ..inherited("cleanup", ".post", 4, &["echo cleanup"])
        },
    ];
    for (got, want) in config.jobs.iter().zip(&want) {
        assert_eq!(got, want, "{}", want.name);
    }
    assert_eq!(config.jobs.len(), want.len());
    assert_eq!(
        lint(REALISTIC),
        Lint {
            valid: true,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    );
}

#[test]
fn the_smallest_configuration_takes_every_default() {
    let config = config("build:\n  script: make\n");
    assert_eq!(
        config,
        CiConfig {
            stages: strings(&[".pre", "build", "test", "deploy", ".post"]),
            variables: Vec::new(),
            jobs: vec![plain("build", "test", 2, &["make"])],
        }
    );
}

/// Every lint error, alone in its configuration.
#[test]
fn every_error_message() {
    let table: &[(&str, &[&str])] = &[
        // Stopping errors.
        ("", &["Please provide content of .gitlab-ci.yml"]),
        ("- build\n- test\n", &["Invalid configuration format"]),
        ("just a string", &["Invalid configuration format"]),
        (
            "build:\n  script: [\n",
            &[
                "Invalid YAML: did not find expected node content at line 3 column 1, while parsing a flow node",
            ],
        ),
        (
            "build:\n  script: a\nbuild:\n  script: b\n",
            &["Invalid YAML: duplicate entry with key \"build\""],
        ),
        (
            "build:\n  script: a\n  script: b\n",
            &["Invalid YAML: build: duplicate entry with key \"script\" at line 2 column 3"],
        ),
        // Top level.
        (
            "include: ci/other.yml\nbuild: {script: x}",
            &["include config is not supported by Paddock"],
        ),
        (
            "workflow: {rules: [{when: always}]}\nbuild: {script: x}",
            &["workflow config is not supported by Paddock"],
        ),
        (
            "spec: {inputs: {}}\nbuild: {script: x}",
            &["spec config is not supported by Paddock"],
        ),
        (
            ".hidden: {script: x}",
            &["jobs config should contain at least one visible job"],
        ),
        (
            "stages: [build]",
            &["jobs config should contain at least one visible job"],
        ),
        (
            "stages: build\nbuild: {script: x}",
            &[
                "stages config should be an array of strings or a nested array of strings up to 10 levels deep",
            ],
        ),
        (
            "default: {image: ruby, artifacts: {paths: [a]}, retry: 2}\nbuild: {script: x}",
            &["default config contains unknown keys: artifacts, retry"],
        ),
        (
            "default: ruby\nbuild: {script: x}",
            &["default config should be a hash"],
        ),
        (
            "before_script: {a: b}\nbuild: {script: x}",
            &[
                "before_script config should be a string or a nested array of strings up to 10 levels deep",
            ],
        ),
        (
            "default: {after_script: 1}\nbuild: {script: x}",
            &[
                "default:after_script config should be a string or a nested array of strings up to 10 levels deep",
            ],
        ),
        (
            "default: {tags: docker}\nbuild: {script: x}",
            &["default:tags config should be an array of strings"],
        ),
        (
            "default: {timeout: soon}\nbuild: {script: x}",
            &["default:timeout config should be a duration"],
        ),
        (
            "image: [ruby]\nbuild: {script: x}",
            &["image config should be a hash or a string"],
        ),
        (
            "services: ruby\nbuild: {script: x}",
            &["services config should be an array"],
        ),
        (
            "cache: key\nbuild: {script: x}",
            &["cache config should be a hash or an array of hashes"],
        ),
        // Global variables.
        (
            "variables: [A]\nbuild: {script: x}",
            &["variables config should be a hash of key value pairs"],
        ),
        (
            "variables: {A: [1]}\nbuild: {script: x}",
            &["variables:A config must be either a string or a hash"],
        ),
        (
            "variables: {A: ~}\nbuild: {script: x}",
            &["variables:A config must be either a string or a hash"],
        ),
        (
            "variables: {A: {value: a, expand: false, options: [a]}}\nbuild: {script: x}",
            &["variables:A config uses invalid data keys: expand, options"],
        ),
        (
            "variables: {A: {value: [a]}}\nbuild: {script: x}",
            &["variables:A config value must be a scalar"],
        ),
        (
            "variables: {A: {value: a, description: [d]}}\nbuild: {script: x}",
            &["variables:A config description must be an alphanumeric string"],
        ),
        // A job's shape.
        (
            "build: {script: x, foo: 1, bar: 2, rules: []}",
            &["jobs:build config contains unknown keys: bar, foo, rules"],
        ),
        (
            "test: {stage: test}",
            &["jobs test config should implement the script: keyword"],
        ),
        (
            "test: echo",
            &["jobs test config should implement the script: keyword"],
        ),
        (
            "test:",
            &["jobs test config should implement the script: keyword"],
        ),
        ("test: {script: ''}", &["jobs:test script can't be blank"]),
        ("test: {script: []}", &["jobs:test script can't be blank"]),
        ("test: {script: }", &["jobs:test script can't be blank"]),
        (
            "test: {script: [echo, 1]}",
            &[
                "jobs:test:script config should be a string or a nested array of strings up to 10 levels deep",
            ],
        ),
        (
            "test: {script: x, before_script: {a: 1}}",
            &[
                "jobs:test:before_script config should be a string or a nested array of strings up to 10 levels deep",
            ],
        ),
        (
            "test: {script: x, after_script: true}",
            &[
                "jobs:test:after_script config should be a string or a nested array of strings up to 10 levels deep",
            ],
        ),
        (
            "test: {script: x, stage: [test]}",
            &["jobs:test:stage config should be a string"],
        ),
        (
            "build: {stage: compile, script: x}",
            &[
                "build job: chosen stage compile does not exist; available stages are .pre, build, test, deploy, .post",
            ],
        ),
        (
            "stages: [one]\nbuild: {script: x}",
            &["build job: chosen stage test does not exist; available stages are .pre, one, .post"],
        ),
        (
            "test: {script: x, when: delayed}",
            &["jobs:test when should be one of: on_success, on_failure, always, manual"],
        ),
        (
            "test: {script: x, tags: docker}",
            &["jobs:test:tags config should be an array of strings"],
        ),
        (
            "test: {script: x, timeout: 5 parsecs}",
            &["jobs:test:timeout config should be a duration"],
        ),
        (
            "test: {script: x, timeout: never}",
            &["jobs:test:timeout config should be a duration"],
        ),
        (
            "test: {script: x, timeout: 32 days}",
            &["jobs:test:timeout config should not exceed the limit"],
        ),
        (
            "test: {script: x, allow_failure: maybe}",
            &["jobs:test:allow_failure config should be a hash or a boolean value"],
        ),
        (
            "test: {script: x, allow_failure: {exit_codes: [1, two]}}",
            &["jobs:test:allow_failure exit codes should be an array of integers or an integer"],
        ),
        (
            "test: {script: x, allow_failure: {exit_code: 1}}",
            &["jobs:test:allow_failure config contains unknown keys: exit_code"],
        ),
        (
            "test: {script: x, variables: {A: {value: a, description: d}}}",
            &["jobs:test:variables:A config uses invalid data keys: description"],
        ),
        (
            "test: {script: x, variables: A=1}",
            &["jobs:test:variables config should be a hash of key value pairs"],
        ),
        // Images and services.
        (
            "test: {script: x, image: 3}",
            &["jobs:test:image config should be a hash or a string"],
        ),
        (
            "test: {script: x, image: ''}",
            &["jobs:test:image name can't be blank"],
        ),
        (
            "test: {script: x, image: {entrypoint: [sh]}}",
            &["jobs:test:image name can't be blank"],
        ),
        (
            "test: {script: x, image: {name: [ruby]}}",
            &["jobs:test:image name should be a string"],
        ),
        (
            "test: {script: x, image: {name: ruby, alias: r, pull_policy: always}}",
            &["jobs:test:image config contains unknown keys: alias, pull_policy"],
        ),
        (
            "test: {script: x, image: {name: ruby, entrypoint: sh}}",
            &["jobs:test:image entrypoint should be an array of strings"],
        ),
        (
            "test: {script: x, services: postgres}",
            &["jobs:test:services config should be an array"],
        ),
        (
            "test: {script: x, services: [{name: pg, ports: [5432]}]}",
            &["jobs:test:services:service config contains unknown keys: ports"],
        ),
        (
            "test: {script: x, services: [{name: pg, alias: [db]}]}",
            &["jobs:test:services:service alias should be a string"],
        ),
        (
            "test: {script: x, services: [{name: pg, command: run}]}",
            &["jobs:test:services:service command should be an array of strings"],
        ),
        (
            "test: {script: x, services: [[pg]]}",
            &["jobs:test:services:service config should be a hash or a string"],
        ),
        // Artifacts.
        (
            "test: {script: x, artifacts: [a]}",
            &["jobs:test:artifacts config should be a hash"],
        ),
        (
            "test: {script: x, artifacts: {paths: [a], reports: {junit: r.xml}, public: true}}",
            &["jobs:test:artifacts config contains unknown keys: public, reports"],
        ),
        (
            "test: {script: x, artifacts: {name: [a]}}",
            &["jobs:test:artifacts name should be a string"],
        ),
        (
            "test: {script: x, artifacts: {paths: a}}",
            &["jobs:test:artifacts paths should be an array of strings"],
        ),
        (
            "test: {script: x, artifacts: {exclude: a}}",
            &["jobs:test:artifacts exclude should be an array of strings"],
        ),
        (
            "test: {script: x, artifacts: {untracked: yes}}",
            &["jobs:test:artifacts untracked should be a boolean value"],
        ),
        (
            "test: {script: x, artifacts: {when: sometimes}}",
            &["jobs:test:artifacts when should be one of: on_success, on_failure, always"],
        ),
        (
            "test: {script: x, artifacts: {expire_in: forever}}",
            &["jobs:test:artifacts expire_in should be a duration"],
        ),
        // Cache.
        (
            "test: {script: x, cache: key}",
            &["jobs:test:cache config should be a hash or an array of hashes"],
        ),
        (
            "test: {script: x, cache: [key]}",
            &["jobs:test:cache config should be a hash or an array of hashes"],
        ),
        (
            "test: {script: x, cache: [{}, {}, {}, {}, {}]}",
            &["jobs:test:cache config no more than 4 caches can be created"],
        ),
        (
            "test: {script: x, cache: {key: a, unprotect: true}}",
            &["jobs:test:cache config contains unknown keys: unprotect"],
        ),
        (
            "test: {script: x, cache: {key: a/b}}",
            &["jobs:test:cache:key config cannot contain the \"/\" character"],
        ),
        (
            "test: {script: x, cache: {key: a%2Fb}}",
            &["jobs:test:cache:key config cannot contain the \"/\" character"],
        ),
        (
            "test: {script: x, cache: {key: ..}}",
            &["jobs:test:cache:key config cannot be \".\" or \"..\""],
        ),
        (
            "test: {script: x, cache: {key: [a]}}",
            &["jobs:test:cache:key config should be a hash or a string"],
        ),
        (
            "test: {script: x, cache: {key: {prefix: p}}}",
            &[
                "jobs:test:cache:key config contains unknown keys: prefix",
                "jobs:test:cache:key config missing required keys: files",
            ],
        ),
        (
            "test: {script: x, cache: {key: {files: []}}}",
            &["jobs:test:cache:key:files config requires at least 1 item"],
        ),
        (
            "test: {script: x, cache: {key: {files: [a, b, c]}}}",
            &["jobs:test:cache:key:files config has too many items (maximum is 2)"],
        ),
        (
            "test: {script: x, cache: {key: {files: a}}}",
            &["jobs:test:cache:key:files config should be an array of strings"],
        ),
        (
            "test: {script: x, cache: {paths: a}}",
            &["jobs:test:cache:paths config should be an array of strings"],
        ),
        (
            "test: {script: x, cache: {untracked: 1}}",
            &["jobs:test:cache:untracked config should be a boolean value"],
        ),
        (
            "test: {script: x, cache: {policy: pull-only}}",
            &["jobs:test:cache policy should be a variable or one of: pull-push, push, pull"],
        ),
        (
            "test: {script: x, cache: {when: manual}}",
            &["jobs:test:cache when should be one of: on_success, on_failure, always"],
        ),
        (
            "test: {script: x, cache: {fallback_keys: a}}",
            &["jobs:test:cache:fallback_keys config should be an array of strings"],
        ),
        (
            "test: {script: x, cache: {fallback_keys: [a, b, c, d, e, f]}}",
            &["jobs:test:cache fallback_keys has too many entries (maximum 5)"],
        ),
        // Needs and dependencies, as written.
        (
            "test: {script: x, needs: build}",
            &["jobs:test:needs config can only be a hash or an array"],
        ),
        (
            "test: {script: x, needs: [1]}",
            &["jobs:test:needs:need has an unsupported type"],
        ),
        (
            "test: {script: x, needs: ['']}",
            &["jobs:test:needs:need config can't be blank"],
        ),
        (
            "a: {script: x}\ntest: {script: x, needs: [{job: a, optional: true}]}",
            &["jobs:test:needs:need config contains unknown keys: optional"],
        ),
        (
            "test: {script: x, needs: [{artifacts: true}]}",
            &["jobs:test:needs:need job can't be blank"],
        ),
        (
            "test: {script: x, needs: [{job: [a]}]}",
            &["jobs:test:needs:need job should be a string"],
        ),
        (
            "a: {script: x}\ntest: {script: x, needs: [{job: a, artifacts: no}]}",
            &["jobs:test:needs:need artifacts should be a boolean value"],
        ),
        (
            "test: {script: x, dependencies: build}",
            &["jobs:test dependencies should be an array of strings"],
        ),
        (
            "a: {stage: build, script: x}\nb: {stage: build, script: x}\ntest: {script: x, needs: [a], dependencies: [a, b]}",
            &["jobs:test dependencies the b should be part of needs"],
        ),
        // Needs and dependencies across jobs.
        (
            "test: {script: x, needs: [build]}",
            &["test job: undefined need: build"],
        ),
        (
            "test: {script: x, needs: [.hidden]}\n.hidden: {script: x}",
            &["test job: undefined need: .hidden"],
        ),
        (
            "test: {script: x, dependencies: [build]}",
            &["test job: undefined dependency: build"],
        ),
        (
            "test: {script: x, dependencies: [deploy]}\ndeploy: {stage: deploy, script: x}",
            &["test job: dependency deploy is not defined in current or prior stages"],
        ),
        (
            "test: {script: x, dependencies: [test]}",
            &["test job: dependency test is the job itself"],
        ),
        (
            "build: {stage: build, script: x, needs: [test]}\ntest: {script: x}",
            &["build job: need test is not defined in current or prior stages"],
        ),
        (
            "build: {stage: build, script: x}\ntest: {script: x, needs: [build, build, {job: build}]}",
            &["test has the following needs duplicated: build."],
        ),
        (
            "a: {script: x, needs: [b]}\nb: {script: x, needs: [a]}",
            &["The pipeline has circular dependencies: a, b"],
        ),
        (
            "a: {script: x, needs: [a]}",
            &["The pipeline has circular dependencies: a"],
        ),
        // YAML tags.
        (
            ".setup: {script: [make]}\ntest: {script: !reference [.setup, script]}",
            &["jobs:test:script uses the YAML tag !reference, which is not supported by Paddock"],
        ),
        (
            "default: {before_script: !reference [.a, b]}\n.a: {b: c}\ntest: {script: x}",
            &[
                "default:before_script uses the YAML tag !reference, which is not supported by Paddock",
            ],
        ),
    ];
    for (text, want) in table {
        assert_eq!(errors(text), *want, "{text}");
        let lint = lint(text);
        assert!(!lint.valid, "{text}");
        assert_eq!(lint.errors, *want, "{text}");
        assert!(lint.warnings.is_empty(), "{text}");
    }
}

#[test]
fn a_long_job_name_is_an_error() {
    let long = "j".repeat(256);
    assert_eq!(
        errors(&format!("{long}: {{script: x}}")),
        [format!(
            "jobs:{long} name is too long (maximum is 255 characters)"
        )]
    );
    let longest = "j".repeat(255);
    assert_eq!(
        config(&format!("{longest}: {{script: x}}")).jobs[0].name,
        longest
    );
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let text = "
stages: [build, test]
include: other.yml
build:
  stage: build
  script: make
  artifacts: {paths: a}
  foo: bar
test:
  script: []
  needs: [build, lint]
deploy:
  stage: deploy
  script: ./deploy
  dependencies: [test, nothing]
";
    assert_eq!(
        errors(text),
        [
            "include config is not supported by Paddock",
            "jobs:build config contains unknown keys: foo",
            "jobs:build:artifacts paths should be an array of strings",
            "jobs:test script can't be blank",
            "deploy job: chosen stage deploy does not exist; available stages are .pre, build, test, .post",
            "test job: undefined need: lint",
            "deploy job: undefined dependency: nothing",
        ]
    );
}

#[test]
fn a_broken_job_is_not_also_an_undefined_one() {
    // `build` has no script, so it is reported once; `test` naming it is fine, and `deploy`'s
    // stage check is skipped because `build`'s stage is unknown.
    let text = "
build: {stage: [build]}
test: {script: x, needs: [build]}
deploy: {stage: deploy, script: x, dependencies: [build]}
";
    assert_eq!(
        errors(text),
        [
            "jobs build config should implement the script: keyword",
            "jobs:build:stage config should be a string",
        ]
    );
}

#[test]
fn script_shapes() {
    let table: [(&str, &[&str]); 6] = [
        ("echo hi", &["echo hi"]),
        ("'echo a && echo b'", &["echo a && echo b"]),
        ("[make, make test]", &["make", "make test"]),
        ("[a, [b, c], d]", &["a", "b", "c", "d"]),
        ("[[a, [b, [c]]]]", &["a", "b", "c"]),
        ("|\n    echo one\n    echo two", &["echo one\necho two\n"]),
    ];
    for (script, want) in table {
        let text = format!(
            "build:\n  script: {script}\n  before_script: {script}\n  after_script: {script}\n"
        );
        let build = job(&text, "build");
        assert_eq!(build.script, strings(want), "{script}");
        assert_eq!(build.before_script, strings(want), "{script}");
        assert_eq!(build.after_script, strings(want), "{script}");
    }
    let block = "build:\n  script:\n    - echo one\n    - - echo two\n      - echo three\n";
    assert_eq!(
        job(block, "build").script,
        strings(&["echo one", "echo two", "echo three"])
    );
}

#[test]
fn defaults_precedence() {
    let text = "
image: legacy-image
services: [legacy-service]
before_script: legacy before
after_script: legacy after
cache: {key: legacy}
default:
  image: default-image
  before_script: default before
  tags: [default-tag]
  timeout: 2h
own:
  script: x
  image: own-image
  services: [own-service]
  before_script: own before
  after_script: own after
  cache: {key: own}
  tags: [own-tag]
  timeout: 30m
inheriting:
  script: x
emptied:
  script: x
  services: []
  before_script: []
  after_script: []
  cache: []
  tags: []
nulls:
  script: x
  image:
  before_script: ~
";
    let own = job(text, "own");
    assert_eq!(own.image, Some(image("own-image")));
    assert_eq!(own.services, vec![image("own-service")]);
    assert_eq!(own.before_script, strings(&["own before"]));
    assert_eq!(own.after_script, strings(&["own after"]));
    assert_eq!(own.cache, vec![cache(Some("own"), &[])]);
    assert_eq!(own.tags, strings(&["own-tag"]));
    assert_eq!(own.timeout, Some(1800));

    let inheriting = job(text, "inheriting");
    assert_eq!(
        inheriting.image,
        Some(image("default-image")),
        "default wins"
    );
    assert_eq!(inheriting.services, vec![image("legacy-service")]);
    assert_eq!(
        inheriting.before_script,
        strings(&["default before"]),
        "default wins"
    );
    assert_eq!(inheriting.after_script, strings(&["legacy after"]));
    assert_eq!(inheriting.cache, vec![cache(Some("legacy"), &[])]);
    assert_eq!(inheriting.tags, strings(&["default-tag"]));
    assert_eq!(inheriting.timeout, Some(7200));

    let emptied = job(text, "emptied");
    assert_eq!(emptied.services, Vec::<Image>::new());
    assert_eq!(emptied.before_script, Vec::<String>::new());
    assert_eq!(emptied.after_script, Vec::<String>::new());
    assert_eq!(emptied.cache, Vec::<Cache>::new());
    assert_eq!(emptied.tags, Vec::<String>::new());
    assert_eq!(emptied.image, Some(image("default-image")));

    let nulls = job(text, "nulls");
    assert_eq!(
        nulls.image,
        Some(image("default-image")),
        "null is unspecified"
    );
    assert_eq!(nulls.before_script, strings(&["default before"]));
}

#[test]
fn hidden_jobs_are_templates_only() {
    let text = "
.template: &template
  image: ruby
  script: [bundle exec rake]
.unused:
  anything: goes here
  script: [1, 2]
.not-a-mapping: just text
.null:
.anchor-list: &list [a, b]
test:
  <<: *template
  tags: *list
";
    let config = config(text);
    assert_eq!(config.jobs.len(), 1);
    let test = &config.jobs[0];
    assert_eq!(test.image, Some(image("ruby")));
    assert_eq!(test.script, strings(&["bundle exec rake"]));
    assert_eq!(test.tags, strings(&["a", "b"]));
    assert_eq!(
        errors(".template: &t {script: x}\ntest:\n  <<: *t\n  anything: goes here\n"),
        ["jobs:test config contains unknown keys: anything"],
        "what a template brings is checked in the job"
    );
}

#[test]
fn anchors_and_merge_keys() {
    let text = "
.base: &base
  image: ruby
  variables: {A: base}
  tags: [base]
.with-cache: &with-cache
  cache: {key: gems, paths: [vendor/]}
  tags: [cache]
.both: &both
  <<: [*base, *with-cache]
  stage: build
one:
  <<: *both
  script: one
  variables: {A: one}
two:
  <<: *base
  script: two
three:
  script: *script
  before_script: &script [echo three]
";
    let wrong_order = errors(text);
    assert_eq!(
        wrong_order,
        ["Invalid YAML: unknown anchor at line 20 column 11"],
        "an alias before its anchor"
    );
    let text = text.replace(
        "  script: *script\n  before_script: &script [echo three]",
        "  before_script: &script [echo three]\n  script: *script",
    );
    let config = config(&text);
    let one = &config.jobs[0];
    assert_eq!(one.stage, "build");
    assert_eq!(one.image, Some(image("ruby")));
    assert_eq!(
        one.variables,
        vec![variable("A", "one")],
        "the job's own key wins"
    );
    assert_eq!(
        one.tags,
        strings(&["base"]),
        "the first merged mapping wins"
    );
    assert_eq!(one.cache, vec![cache(Some("gems"), &["vendor/"])]);
    let two = &config.jobs[1];
    assert_eq!(two.stage, "test");
    assert_eq!(two.variables, vec![variable("A", "base")]);
    let three = &config.jobs[2];
    assert_eq!(three.script, strings(&["echo three"]));
    assert_eq!(three.before_script, strings(&["echo three"]));
}

#[test]
fn needs_and_dependencies_that_are_allowed() {
    let text = "
prepare: {stage: .pre, script: x}
build: {stage: build, script: x, needs: []}
compile: {stage: build, script: x, needs: [build]}
test: {script: x, needs: [build, {job: compile, artifacts: false}, prepare], dependencies: [build]}
report: {script: x, dependencies: [test, compile]}
deploy: {stage: deploy, script: x, dependencies: []}
";
    let config = config(text);
    let by_name = |name: &str| config.jobs.iter().find(|j| j.name == name).cloned();
    let build = by_name("build").unwrap();
    assert_eq!(
        build.needs,
        Some(Vec::new()),
        "an empty list starts at once"
    );
    assert_eq!(
        by_name("compile").unwrap().needs,
        Some(vec![need("build", true)]),
        "a need in the same stage"
    );
    let test = by_name("test").unwrap();
    assert_eq!(
        test.needs,
        Some(vec![
            need("build", true),
            need("compile", false),
            need("prepare", true)
        ])
    );
    assert_eq!(test.dependencies, Some(strings(&["build"])));
    assert_eq!(
        by_name("report").unwrap().dependencies,
        Some(strings(&["test", "compile"])),
        "a dependency in the same stage"
    );
    assert_eq!(by_name("report").unwrap().needs, None);
    assert_eq!(by_name("deploy").unwrap().dependencies, Some(Vec::new()));
    assert_eq!(by_name("prepare").unwrap().stage_index, 0);
}

#[test]
fn cycles_are_found_in_each_stage() {
    let text = "
a: {stage: build, script: x, needs: [b]}
b: {stage: build, script: x, needs: [c]}
c: {stage: build, script: x, needs: [a]}
d: {script: x, needs: [a, e]}
e: {script: x, needs: [f]}
f: {script: x, needs: [e, d]}
g: {script: x, needs: [a, b, c]}
";
    assert_eq!(
        errors(text),
        [
            "The pipeline has circular dependencies: a, b, c",
            "The pipeline has circular dependencies: d, e, f",
        ]
    );
    let across_stages = "
build: {stage: build, script: x, needs: [test]}
test: {script: x, needs: [build]}
";
    assert_eq!(
        errors(across_stages),
        ["build job: need test is not defined in current or prior stages"],
        "a cycle across stages is already a need of a later stage"
    );
}

#[test]
fn manual_jobs_may_fail_unless_they_say_otherwise() {
    let table = [
        ("when: manual", When::Manual, AllowFailure::Yes),
        (
            "when: manual, allow_failure: false",
            When::Manual,
            AllowFailure::No,
        ),
        (
            "when: manual, allow_failure: {exit_codes: 3}",
            When::Manual,
            AllowFailure::ExitCodes(vec![3]),
        ),
        ("when: on_failure", When::OnFailure, AllowFailure::No),
        ("when: always", When::Always, AllowFailure::No),
        ("allow_failure: true", When::OnSuccess, AllowFailure::Yes),
        (
            "allow_failure: {exit_codes: []}",
            When::OnSuccess,
            AllowFailure::No,
        ),
        ("allow_failure: {}", When::OnSuccess, AllowFailure::No),
        (
            "allow_failure: {exit_codes: [137, 255]}",
            When::OnSuccess,
            AllowFailure::ExitCodes(vec![137, 255]),
        ),
    ];
    for (keys, when, allow_failure) in table {
        let text = format!("job: {{script: x, {keys}}}");
        let job = job(&text, "job");
        assert_eq!(
            (job.when, &job.allow_failure),
            (when, &allow_failure),
            "{keys}"
        );
    }
}

#[test]
fn allow_failure_by_exit_code() {
    let table = [
        (AllowFailure::No, None, false),
        (AllowFailure::No, Some(1), false),
        (AllowFailure::Yes, None, true),
        (AllowFailure::Yes, Some(1), true),
        (AllowFailure::ExitCodes(vec![1, 2]), Some(2), true),
        (AllowFailure::ExitCodes(vec![1, 2]), Some(3), false),
        (AllowFailure::ExitCodes(vec![1, 2]), None, false),
    ];
    for (allow_failure, exit_code, allowed) in table {
        assert_eq!(
            allow_failure.allows(exit_code),
            allowed,
            "{allow_failure:?} {exit_code:?}"
        );
    }
}

#[test]
fn variables_are_text() {
    let text = "
variables:
  INT: 42
  FLOAT: 0.5
  BOOL: true
  QUOTED: '007'
  OCTAL_LOOKING: 010
  EMPTY: ''
  COMPLEX: {value: 3, description: A number}
  NO_VALUE: {description: Filled in when run}
  12: twelve
job:
  script: x
  variables:
    OWN: {value: own}
    INT: 43
";
    let config = config(text);
    assert_eq!(
        config.variables,
        vec![
            variable("INT", "42"),
            variable("FLOAT", "0.5"),
            variable("BOOL", "true"),
            variable("QUOTED", "007"),
            variable("OCTAL_LOOKING", "010"),
            variable("EMPTY", ""),
            variable("COMPLEX", "3"),
            variable("NO_VALUE", ""),
            variable("12", "twelve"),
        ]
    );
    assert_eq!(
        config.jobs[0].variables,
        vec![variable("OWN", "own"), variable("INT", "43")]
    );
}

#[test]
fn images_services_caches_and_timeouts() {
    let text = "
job:
  script: x
  image: {name: alpine, entrypoint: ['/bin/sh', '-c']}
  services: [docker:dind, {name: postgres, alias: db}]
  cache:
    - {key: a, policy: $CACHE_POLICY}
    - {key: b, policy: push, when: on_failure}
    - {}
  timeout: 3600
";
    let parsed = job(text, "job");
    assert_eq!(
        parsed.image,
        Some(Image {
            entrypoint: Some(strings(&["/bin/sh", "-c"])),
            ..image("alpine")
        })
    );
    assert_eq!(
        parsed.services,
        vec![
            image("docker:dind"),
            Image {
                alias: Some("db".to_owned()),
                ..image("postgres")
            }
        ]
    );
    assert_eq!(
        parsed.cache,
        vec![
            Cache {
                policy: "$CACHE_POLICY".to_owned(),
                ..cache(Some("a"), &[])
            },
            Cache {
                policy: "push".to_owned(),
                when: "on_failure".to_owned(),
                ..cache(Some("b"), &[])
            },
            cache(None, &[]),
        ]
    );
    assert_eq!(parsed.timeout, Some(3600));
    let timeouts = [
        ("1h 30m", 5400),
        ("90 minutes", 5400),
        ("2 days", 172_800),
        ("1 month", 2_592_000),
    ];
    for (timeout, seconds) in timeouts {
        let text = format!("job: {{script: x, timeout: {timeout}}}");
        assert_eq!(job(&text, "job").timeout, Some(seconds), "{timeout}");
    }
}

#[test]
fn stages_may_be_nested_and_name_pre_and_post() {
    let text = "
stages: [[lint, build], test, .post, .pre]
first: {stage: .pre, script: x}
last: {stage: .post, script: x}
lint: {stage: lint, script: x}
";
    let config = config(text);
    assert_eq!(
        config.stages,
        strings(&[".pre", "lint", "build", "test", ".post"])
    );
    let indices: Vec<(&str, usize)> = config
        .jobs
        .iter()
        .map(|j| (j.name.as_str(), j.stage_index))
        .collect();
    assert_eq!(indices, [("first", 0), ("last", 4), ("lint", 1)]);
}

#[test]
fn enum_names_round_trip() {
    for when in When::ALL {
        assert_eq!(When::parse(when.as_str()), Some(when));
        let yaml = serde_yaml::to_value(when).unwrap();
        assert_eq!(yaml.as_str(), Some(when.as_str()));
        assert_eq!(serde_yaml::from_value::<When>(yaml).unwrap(), when);
    }
    assert_eq!(When::parse("delayed"), None);
    for when in ArtifactsWhen::ALL {
        assert_eq!(ArtifactsWhen::parse(when.as_str()), Some(when));
        let yaml = serde_yaml::to_value(when).unwrap();
        assert_eq!(yaml.as_str(), Some(when.as_str()));
    }
    assert_eq!(ArtifactsWhen::parse("manual"), None);
    assert_eq!(When::default(), When::OnSuccess);
    assert_eq!(ArtifactsWhen::default(), ArtifactsWhen::OnSuccess);
}

#[test]
fn a_parsed_configuration_serializes_and_reads_back() {
    let parsed = config(REALISTIC);
    let yaml = serde_yaml::to_string(&parsed).unwrap();
    assert!(yaml.contains("when: manual"), "{yaml}");
    let back: CiConfig = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(back, parsed);
    let allow: AllowFailure = serde_yaml::from_str("yes").unwrap();
    assert_eq!(allow, AllowFailure::Yes);
}
