"""Runs real shell jobs through Paddock end to end with gitlab-python-runner 14.3.20 (and the
gitlab-emulator 1.3.6 it needs), against a local bare git repository, set up and checked with
python-gitlab 8.6.0 as a user would.

Two pipelines on one commit of `main`:
- the project's CI config: `greet` (build) prints a project variable, a pipeline variable, a
  config variable, a masked variable, a file of the checkout and enough lines to take many log
  PATCHes, and succeeds; `doomed` (test)
  prints a line and exits 3; `cleanup` (cleanup, when: on_failure) runs because of that;
  `deploy` (cleanup) is skipped. The pipeline fails.
- a `ci_config` override: `allowed` (test, allow_failure) fails, `after` (deploy) still runs;
  the pipeline succeeds.
- artifacts: `make-artifact` (build) writes a file and declares it in `artifacts: paths`; the
  runner uploads the zip; `use-artifact` (test) gets it as a dependency and `cat`s it, and its
  log shows the content.
Each job is queued before the runner starts (`--once` sleeps 40 s when there is none) and is
run by one `python -m GitlabPyRunner --start gitlab-runner.yml --once`.

Environment: PADDOCK_URL (http://127.0.0.1:<port>) and PADDOCK_TOKEN (root's personal access
token). Exits non-zero on the first failed expectation.
"""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile

import gitlab
import requests
import yaml

URL = os.environ["PADDOCK_URL"]
TOKEN = os.environ["PADDOCK_TOKEN"]

GREETING = "hello-from-paddock"
SECRET = "S3cretValue4Paddock"
FROM_PIPELINE = "set-by-the-pipeline-request"
README = "Readme of the repository under test\n"

CI_CONFIG = """\
stages: [build, test, cleanup]
variables:
  FROM_CONFIG: set-in-the-config
greet:
  stage: build
  script:
    - echo "value is $GREETING"
    - echo "pipeline variable is $FROM_PIPELINE"
    - echo "config variable is $FROM_CONFIG"
    - echo "secret is $SECRET_TOKEN"
    - echo "project path is $CI_PROJECT_PATH at $CI_COMMIT_SHA"
    - cat README.md
    - test -x scripts/hello.sh && scripts/hello.sh
    - seq 1 3000
    - echo "secret again $SECRET_TOKEN"
doomed:
  stage: test
  script:
    - echo "about to fail"
    - exit 3
    - echo "never printed"
cleanup:
  stage: cleanup
  when: on_failure
  script:
    - echo "cleaning up after a failure"
deploy:
  stage: cleanup
  script:
    - echo "deploying"
"""

ALLOWED_CONFIG = """\
stages: [test, deploy]
allowed:
  stage: test
  allow_failure: true
  script:
    - echo "allowed to fail"
    - exit 1
after:
  stage: deploy
  script:
    - echo "runs after an allowed failure"
"""

ARTIFACTS_CONFIG = """\
stages: [build, test]
make-artifact:
  stage: build
  script:
    - mkdir -p out
    - echo "artifact-made-in-pipeline-$CI_PIPELINE_ID" > out/result.txt
  artifacts:
    paths: [out/result.txt]
    expire_in: 1 week
use-artifact:
  stage: test
  script:
    - cat out/result.txt
"""

RUNNER_TIMEOUT = 180


def step(text):
    print(f"-- {text}", flush=True)


def git(*args, cwd):
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="Paddock Tester",
        GIT_AUTHOR_EMAIL="tester@example.com",
        GIT_AUTHOR_DATE="2024-01-02T03:04:05+00:00",
        GIT_COMMITTER_NAME="Paddock Committer",
        GIT_COMMITTER_EMAIL="committer@example.com",
        GIT_COMMITTER_DATE="2024-01-02T03:04:05+00:00",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip()


def make_repository(root):
    """A bare repository with one commit on `main`; returns (its path, the commit's sha)."""
    work = os.path.join(root, "work")
    bare = os.path.join(root, "repo.git")
    os.makedirs(os.path.join(work, "scripts"))
    with open(os.path.join(work, "README.md"), "w") as f:
        f.write(README)
    with open(os.path.join(work, "scripts", "hello.sh"), "w") as f:
        f.write("#!/bin/sh\necho \"hello from a script of the checkout\"\n")
    os.chmod(os.path.join(work, "scripts", "hello.sh"), 0o755)
    git("init", "--quiet", "--initial-branch=main", cwd=work)
    git("add", "README.md", "scripts/hello.sh", cwd=work)
    git("-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "Initial commit\n\nWith a body.",
        cwd=work)
    sha = git("rev-parse", "HEAD", cwd=work)
    git("clone", "--quiet", "--bare", work, bare, cwd=root)
    return bare, sha


def run_runner(cwd, expected_job, success):
    """Runs one job with `--once`; checks which job it got and its exit code."""
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "GitlabPyRunner", "--start", "gitlab-runner.yml", "--once",
             "--trace-http"],
            cwd=cwd, capture_output=True, text=True, timeout=RUNNER_TIMEOUT,
        )
    except subprocess.TimeoutExpired as timeout:
        raise AssertionError(
            f"gitlab-python-runner did not finish job {expected_job} in {RUNNER_TIMEOUT} s\n"
            f"{timeout.stdout}\n{timeout.stderr}\n{http_trace(cwd)}") from None
    output = result.stdout + result.stderr
    elapsed = time.monotonic() - started
    print(f"   job {expected_job}: runner exited {result.returncode} after {elapsed:.1f} s",
          flush=True)
    want = 0 if success else 1
    context = f"\n--- runner output\n{output}\n--- http.trace\n{http_trace(cwd)}"
    assert result.returncode == want, f"runner exit code {result.returncode}, want {want}{context}"
    assert f"Job {expected_job} has ended success={success}" in output, \
        f"the runner did not run job {expected_job}{context}"
    assert "comms exception" not in output, f"an HTTP error reached the runner{context}"
    assert "failed early setup" not in output, f"the runner could not set the job up{context}"
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(cwd, "http.trace"))
    return output


def http_trace(cwd):
    try:
        with open(os.path.join(cwd, "http.trace")) as f:
            return f.read()[-20000:]
    except OSError:
        return "(none)"


def jobs_by_name(pipeline):
    return {job.name: job for job in pipeline.jobs.list(get_all=True)}


def statuses(pipeline):
    return {name: job.status for name, job in jobs_by_name(pipeline).items()}


def log_of(project, job_id):
    """The stored log; a job that failed, it failed in its script, not in the runner."""
    log = project.jobs.get(job_id).trace().decode("utf-8", "replace")
    assert "Runner error" not in log, f"the runner could not run job {job_id}\n{log}"
    return log


gl = gitlab.Gitlab(URL, private_token=TOKEN)
gl.auth()

with tempfile.TemporaryDirectory() as root:
    step("a local bare repository with one commit on main")
    repo, sha = make_repository(root)

    step("a project on it with a CI config, and its CI/CD variables")
    project = gl.projects.create({
        "name": "jobs-end-to-end",
        "repository_url": repo,
        "ci_config": CI_CONFIG,
    })
    assert project.repository_url == repo, project.repository_url
    lint = project.ci_lint.create({"content": CI_CONFIG})
    assert lint.valid, lint.errors
    project.variables.create({"key": "GREETING", "value": GREETING})
    secret = project.variables.create({"key": "SECRET_TOKEN", "value": SECRET, "masked": True})
    assert secret.masked is True
    assert sorted(v.key for v in project.variables.list(get_all=True)) == \
        ["GREETING", "SECRET_TOKEN"]

    step("a project runner made by a user, configured by hand")
    made = gl.user.runners.create({
        "runner_type": "project_type",
        "project_id": project.id,
        "description": "gitlab-python-runner",
    })
    assert made.token.startswith("glrt-"), made.token
    runner_dir = os.path.join(root, "runner")
    os.makedirs(runner_dir)
    with open(os.path.join(runner_dir, "gitlab-runner.yml"), "w") as f:
        yaml.safe_dump({
            "server": URL,
            "token": made.token,
            "executor": "shell",
            "shell": "/bin/bash",
            "dir": runner_dir,
        }, f)

    step("a pipeline for main: its sha comes from the repository")
    pipeline = project.pipelines.create({
        "ref": "main",
        "variables": [{"key": "FROM_PIPELINE", "value": FROM_PIPELINE}],
    })
    assert pipeline.sha == sha, (pipeline.sha, sha)
    assert pipeline.ref == "main"
    assert pipeline.status == "pending", pipeline.status
    assert statuses(pipeline) == {
        "greet": "pending", "doomed": "created", "cleanup": "created", "deploy": "created",
    }, statuses(pipeline)
    jobs = jobs_by_name(pipeline)

    step("the runner runs the passing job")
    run_runner(runner_dir, jobs["greet"].id, True)
    greet = project.jobs.get(jobs["greet"].id)
    assert greet.status == "success", greet.status
    assert getattr(greet, "failure_reason", None) is None, greet.failure_reason
    assert greet.runner["id"] == made.id, greet.runner
    assert greet.started_at and greet.finished_at and greet.duration is not None
    assert greet.commit["id"] == sha, greet.commit
    assert greet.commit["author_name"] == "Paddock Tester", greet.commit
    assert greet.commit["title"] == "Initial commit", greet.commit
    log = log_of(project, greet.id)
    assert f"value is {GREETING}" in log, log
    assert f"pipeline variable is {FROM_PIPELINE}" in log, log
    assert "config variable is set-in-the-config" in log, log
    assert f"project path is {project.path_with_namespace} at {sha}" in log, log
    assert README.strip() in log, log
    assert "hello from a script of the checkout" in log, log
    numbers = [line for line in log.splitlines() if line.isdigit()]
    assert numbers == [str(n) for n in range(1, 3001)], \
        "the log lost or reordered output sent in many PATCHes"
    assert "secret is [MASKED]" in log and "secret again [MASKED]" in log, log
    assert SECRET not in log, "a masked variable's value appears in the stored log"
    assert "Job complete success=True" in log, log
    between = project.pipelines.get(pipeline.id)
    # GitLab's composite status: a finished job beside a pending one makes the pipeline running.
    assert between.status == "running" and between.finished_at is None, between.status
    assert statuses(pipeline)["doomed"] == "pending", statuses(pipeline)

    step("the runner runs the failing job")
    run_runner(runner_dir, jobs["doomed"].id, False)
    doomed = project.jobs.get(jobs["doomed"].id)
    assert doomed.status == "failed", doomed.status
    assert doomed.failure_reason == "unknown_failure", \
        "gitlab-python-runner sends no failure_reason: GitLab records unknown_failure"
    assert doomed.allow_failure is False
    log = log_of(project, doomed.id)
    assert "about to fail" in log, log
    assert "never printed" not in log.replace('echo "never printed"', ""), log
    assert "Job complete success=False" in log, log
    assert statuses(pipeline) == {
        "greet": "success", "doomed": "failed", "cleanup": "pending", "deploy": "skipped",
    }, statuses(pipeline)

    step("the on_failure job runs; the pipeline fails")
    run_runner(runner_dir, jobs["cleanup"].id, True)
    assert "cleaning up after a failure" in log_of(project, jobs["cleanup"].id)
    assert statuses(pipeline) == {
        "greet": "success", "doomed": "failed", "cleanup": "success", "deploy": "skipped",
    }, statuses(pipeline)
    finished = project.pipelines.get(pipeline.id)
    assert finished.status == "failed", finished.status
    assert finished.finished_at is not None

    step("a pipeline with an allowed failure succeeds")
    second = project.pipelines.create({"ref": "main", "ci_config": ALLOWED_CONFIG})
    assert second.sha == sha
    jobs = jobs_by_name(second)
    assert statuses(second) == {"allowed": "pending", "after": "created"}, statuses(second)
    run_runner(runner_dir, jobs["allowed"].id, False)
    allowed = project.jobs.get(jobs["allowed"].id)
    assert allowed.status == "failed" and allowed.allow_failure is True
    assert "allowed to fail" in log_of(project, allowed.id)
    assert statuses(second) == {"allowed": "failed", "after": "pending"}, statuses(second)
    run_runner(runner_dir, jobs["after"].id, True)
    assert "runs after an allowed failure" in log_of(project, jobs["after"].id)
    assert project.pipelines.get(second.id).status == "success"

    step("the lists agree")
    assert [p.id for p in project.pipelines.list(get_all=True)] == [second.id, pipeline.id]
    assert project.pipelines.list(get_all=True, status="failed")[0].id == pipeline.id
    failed = sorted(j.name for j in project.jobs.list(get_all=True, scope="failed"))
    assert failed == ["allowed", "doomed"], failed
    ran = sorted(j.id for j in gl.runners.get(made.id).jobs.list(get_all=True))
    assert len(ran) == 5, ran
    assert gl.runners.get(made.id).status == "online"

    step("artifacts: a build job's file reaches a later stage's job")
    third = project.pipelines.create({"ref": "main", "ci_config": ARTIFACTS_CONFIG})
    jobs = jobs_by_name(third)
    run_runner(runner_dir, jobs["make-artifact"].id, True)
    built = project.jobs.get(jobs["make-artifact"].id)
    assert built.status == "success", built.status
    assert built.artifacts_file["filename"] == "archive.zip", built.artifacts_file
    assert built.artifacts_file["size"] > 0, built.artifacts_file
    listed = built.attributes["artifacts"]
    assert [a["file_type"] for a in listed] == ["archive"], listed
    # gitlab-python-runner does not send `expire_in` (gitlab-runner does, from the payload):
    # without it an upload never expires, as GitLab with a default of "0".
    assert built.artifacts_expire_at is None, built.artifacts_expire_at
    # The archive as a user downloads it: a zip holding the file.
    downloaded = requests.get(f"{URL}/api/v4/projects/{project.id}/jobs/{built.id}/artifacts",
                              headers={"PRIVATE-TOKEN": TOKEN}, timeout=30)
    assert downloaded.status_code == 200, (downloaded.status_code, downloaded.text)
    with zipfile.ZipFile(io.BytesIO(downloaded.content)) as archive:
        content = archive.read("out/result.txt").decode()
    assert content == f"artifact-made-in-pipeline-{third.id}\n", content
    run_runner(runner_dir, jobs["use-artifact"].id, True)
    log = log_of(project, jobs["use-artifact"].id)
    assert "Fetching artifacts from make-artifact" in log, log
    assert f"artifact-made-in-pipeline-{third.id}" in log, log
    assert project.pipelines.get(third.id).status == "success"

    step("no job is left for the runner")
    polled = requests.post(f"{URL}/api/v4/jobs/request", json={"token": made.token}, timeout=30)
    assert polled.status_code == 204, (polled.status_code, polled.text)

print("job runner conformance: all passed", flush=True)
