"""Drives Paddock's runners API with real clients, exactly as their users would:
python-gitlab 8.6.0 (the library and the `gitlab` CLI), gitlab-python-runner 14.3.20
(`python -m GitlabPyRunner --register/--unregister`) and gitlab-runner-api 1.0.4.

Environment: PADDOCK_URL (http://127.0.0.1:<port>), PADDOCK_TOKEN (root's personal access
token) and PADDOCK_REGISTRATION_TOKEN (the instance registration token).
Exits non-zero on the first failed expectation.
"""

import json
import os
import subprocess
import sys
import tempfile

import gitlab
import yaml
from gitlab_runner_api import Runner as GraRunner

URL = os.environ["PADDOCK_URL"]
TOKEN = os.environ["PADDOCK_TOKEN"]
REG = os.environ["PADDOCK_REGISTRATION_TOKEN"]


def step(text):
    print(f"-- {text}", flush=True)


def expect_error(kind, code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except kind as error:
        assert error.response_code == code, f"expected {code}, got {error.response_code}: {error}"
        return error
    raise AssertionError(f"expected {kind.__name__} {code}")


def ids(objects):
    return sorted(o.id for o in objects)


gl = gitlab.Gitlab(URL, private_token=TOKEN)
gl.auth()

step("python-gitlab registers a runner with the instance registration token")
runner = gl.runners.create({
    "token": REG,
    "description": "pg-runner",
    "tag_list": ["a", "b"],
    "run_untagged": False,
    "locked": False,
    "info": {"name": "python-gitlab-made"},
})
assert isinstance(runner.id, int), runner.id
assert runner.token.startswith("glrt-"), runner.token
assert runner.token != REG
runner_token = runner.token
again = gl.runners.create({"token": REG, "description": "second"})
assert again.id != runner.id and again.token != runner_token
expect_error(gitlab.GitlabCreateError, 403, gl.runners.create, {"token": "GR1348941wrong"})
expect_error(gitlab.GitlabCreateError, 400, gl.runners.create,
             {"token": REG, "run_untagged": False})

step("get, all and filters")
shown = gl.runners.get(runner.id)
assert shown.description == "pg-runner"
assert sorted(shown.tag_list) == ["a", "b"], shown.tag_list
assert shown.run_untagged is False
assert shown.runner_type == "instance_type" and shown.is_shared is True
assert shown.status == "not_connected", shown.status
assert shown.online is None
assert shown.name == "python-gitlab-made"
assert not hasattr(shown, "token"), "details never carry the token"
assert ids(gl.runners.all(get_all=True)) == sorted([runner.id, again.id])
assert ids(gl.runners.all(scope="shared", get_all=True)) == sorted([runner.id, again.id])
assert gl.runners.all(scope="specific", get_all=True) == []
assert ids(gl.runners_all.list(get_all=True, tag_list=["a", "b"])) == [runner.id]
assert ids(gl.runners_all.list(get_all=True, type="instance_type")) == sorted([runner.id, again.id])
assert gl.runners.list(get_all=True) == [], "root's own runners: none yet, never instance ones"

step("verify makes the runner online")
gl.runners.verify(runner_token)
assert gl.runners.get(runner.id).status == "online"
assert gl.runners.get(runner.id).online is True
expect_error(gitlab.GitlabVerifyError, 403, gl.runners.verify, "glrt-wrong")

step("update with save() and update()")
shown = gl.runners.get(runner.id)
shown.description = "renamed"
shown.tag_list = ["c"]
shown.maximum_timeout = 3600
shown.save()
shown = gl.runners.get(runner.id)
assert shown.description == "renamed"
assert shown.tag_list == ["c"], shown.tag_list
assert shown.maximum_timeout == 3600
gl.runners.update(runner.id, {"paused": True})
shown = gl.runners.get(runner.id)
assert shown.paused is True and shown.active is False
assert shown.status == "paused" and shown.online is True
assert ids(gl.runners_all.list(get_all=True, paused=True)) == [runner.id]
assert ids(gl.runners_all.list(get_all=True, paused=False)) == [again.id], "paused=False, capitalised"
assert ids(gl.runners_all.list(get_all=True, status="online")) == [runner.id], "online counts contact only"
gl.runners.update(runner.id, {"active": True})
assert gl.runners.get(runner.id).status == "online"
expect_error(gitlab.GitlabUpdateError, 400, gl.runners.update, runner.id,
             {"active": True, "paused": True})

step("a runner's jobs")
assert shown.jobs.list(get_all=True) == []
assert shown.jobs.list(get_all=True, status="success", order_by="id", sort="asc") == []
expect_error(gitlab.GitlabListError, 400, shown.jobs.list, status="bogus")

step("project and group runners")
group = gl.groups.create({"name": "Runners", "path": "runners"})
one = gl.projects.create({"name": "one", "namespace_id": group.id})
two = gl.projects.create({"name": "two", "namespace_id": group.id})
project_runner = gl.runners.create({"token": one.runners_token, "description": "one's runner"})
group_runner = gl.runners.create({"token": group.runners_token, "description": "group runner"})
assert gl.runners.get(project_runner.id).runner_type == "project_type"
assert gl.runners.get(project_runner.id).projects[0]["id"] == one.id
assert gl.runners.get(group_runner.id).groups[0]["id"] == group.id
everything = sorted([runner.id, again.id, project_runner.id, group_runner.id])
assert ids(one.runners.list(get_all=True)) == everything
assert ids(one.runners.list(get_all=True, scope="specific")) == sorted([project_runner.id, group_runner.id])
assert ids(one.runners.list(get_all=True, tag_list=["c"])) == [runner.id]
assert ids(group.runners.list(get_all=True)) == sorted([runner.id, again.id, group_runner.id])
assert ids(group.runners.list(get_all=True, type="group_type")) == [group_runner.id]
assert group.runners.list(get_all=True, type="project_type") == []
assert ids(gl.runners.list(get_all=True)) == sorted([project_runner.id, group_runner.id]), \
    "root owns the group it created"
assigned = two.runners.create({"runner_id": project_runner.id})
assert assigned.id == project_runner.id
assert project_runner.id in ids(two.runners.list(get_all=True))
expect_error(gitlab.GitlabCreateError, 400, two.runners.create, {"runner_id": project_runner.id})
expect_error(gitlab.GitlabCreateError, 403, two.runners.create, {"runner_id": group_runner.id})
expect_error(gitlab.GitlabCreateError, 400, two.runners.create, {"runner_id": runner.id})
two.runners.delete(project_runner.id)
assert project_runner.id not in ids(two.runners.list(get_all=True))
expect_error(gitlab.GitlabDeleteError, 403, one.runners.delete, project_runner.id)
expect_error(gitlab.GitlabDeleteError, 404, two.runners.delete, project_runner.id)
shared_off = gl.projects.get(two.id)
shared_off.shared_runners_enabled = False
shared_off.save()
assert runner.id in ids(two.runners.list(get_all=True)), "instance runners are listed anyway"

step("gl.user.runners.create (the new workflow)")
created = gl.user.runners.create({
    "runner_type": "group_type",
    "group_id": group.id,
    "description": "made by a user",
    "tag_list": ["x", "y"],
    "paused": False,
    "locked": True,
    "maintenance_note": "note",
})
assert created.token.startswith("glrt-"), created.token
shown = gl.runners.get(created.id)
assert shown.runner_type == "group_type" and shown.locked is True
assert sorted(shown.tag_list) == ["x", "y"]
assert shown.maintenance_note == "note"
assert shown.status == "not_connected"
gl.runners.verify(created.token)
assert gl.runners.get(created.id).status == "online"
in_project = gl.user.runners.create({"runner_type": "project_type", "project_id": two.id})
assert gl.runners.get(in_project.id).projects[0]["id"] == two.id
instance_made = gl.user.runners.create({"runner_type": "instance_type"})
assert gl.runners.get(instance_made.id).is_shared is True
expect_error(gitlab.GitlabCreateError, 400, gl.user.runners.create, {"runner_type": "group_type"})

step("resetting a runner's token by id")
reset = gl.http_post(f"/runners/{created.id}/reset_authentication_token")
assert reset["token"].startswith("glrt-") and reset["token"] != created.token
expect_error(gitlab.GitlabVerifyError, 403, gl.runners.verify, created.token)
gl.runners.verify(reset["token"])

step("deleting by id")
gl.runners.delete(in_project.id)
expect_error(gitlab.GitlabGetError, 404, gl.runners.get, in_project.id)
gl.runners.get(instance_made.id).delete()
expect_error(gitlab.GitlabGetError, 404, gl.runners.get, instance_made.id)
expect_error(gitlab.GitlabDeleteError, 404, gl.runners.delete, instance_made.id)

step("the gitlab CLI")
cli = os.path.join(os.path.dirname(sys.executable), "gitlab")
env = dict(os.environ, GITLAB_URL=URL, GITLAB_PRIVATE_TOKEN=TOKEN)


def run_cli(*args):
    result = subprocess.run([cli, *args], env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"gitlab {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


listed = json.loads(run_cli("-o", "json", "runner", "list", "--get-all"))
assert sorted(r["id"] for r in listed) == ids(gl.runners.list(get_all=True)), listed
made = json.loads(run_cli("-o", "json", "runner", "create", "--token", REG,
                          "--description", "d", "--tag-list", "a,b"))
assert made["token"].startswith("glrt-"), made
fetched = json.loads(run_cli("-o", "json", "runner", "get", "--id", str(made["id"])))
assert fetched["description"] == "d", fetched
assert sorted(fetched["tag_list"]) == ["a", "b"], fetched
listed = json.loads(run_cli("-o", "json", "project-runner", "list", "--project-id", str(one.id)))
assert project_runner.id in [r["id"] for r in listed], listed
run_cli("project-runner", "create", "--project-id", str(two.id), "--runner-id", str(project_runner.id))
assert project_runner.id in ids(two.runners.list(get_all=True)), "the CLI's string runner_id"
run_cli("project-runner", "delete", "--project-id", str(two.id), "--id", str(project_runner.id))
assert project_runner.id not in ids(two.runners.list(get_all=True))
jobs = json.loads(run_cli("-o", "json", "runner-job", "list", "--runner-id", str(project_runner.id),
                          "--status", "success"))
assert jobs == [], jobs
run_cli("runner", "delete", "--id", str(made["id"]))
expect_error(gitlab.GitlabGetError, 404, gl.runners.get, made["id"])

step("gitlab-python-runner registers with a form and unregisters")
with tempfile.TemporaryDirectory() as cwd:
    register = subprocess.run(
        [sys.executable, "-m", "GitlabPyRunner", "--register", URL, "--regtoken", REG,
         "--desc", "pyrunner", "--tag", "t1", "--tag", "t2", "--shell", "/bin/bash"],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )
    assert register.returncode == 0, f"register failed\n{register.stdout}\n{register.stderr}"
    with open(os.path.join(cwd, "gitlab-runner.yml")) as config_file:
        config = yaml.safe_load(config_file)
    assert config["server"] == URL, config
    assert config["token"].startswith("glrt-"), config
    found = [r for r in gl.runners.all(get_all=True) if r.description == "pyrunner"]
    assert len(found) == 1, found
    pyrunner = gl.runners.get(found[0].id)
    assert sorted(pyrunner.tag_list) == ["t1", "t2"], pyrunner.tag_list
    assert pyrunner.run_untagged is False, "run_untagged=False, capitalised, in a form"
    assert pyrunner.runner_type == "instance_type"
    assert pyrunner.status == "not_connected"
    gl.runners.verify(config["token"])
    unregister = subprocess.run(
        [sys.executable, "-m", "GitlabPyRunner", "--unregister"],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )
    assert unregister.returncode == 0, f"unregister failed\n{unregister.stdout}\n{unregister.stderr}"
    expect_error(gitlab.GitlabGetError, 404, gl.runners.get, pyrunner.id)
    expect_error(gitlab.GitlabVerifyError, 403, gl.runners.verify, config["token"])

step("gitlab-runner-api registers through the trailing slash and verifies")
gra = GraRunner.register(
    URL, REG, description="gra", tags=["g1", "g2"], run_untagged=False, locked=True,
    maximum_timeout=3600, name="gitlab-runner-api", version="1.0.4", revision="abc",
    platform="linux", architecture="amd64", executor="shell", access_level="not_protected",
)
shown = gl.runners.get(gra.id)
assert shown.description == "gra"
assert sorted(shown.tag_list) == ["g1", "g2"], shown.tag_list
assert shown.run_untagged is False and shown.locked is True
assert shown.maximum_timeout == 3600
assert shown.status == "online", "the library verifies its token right after registering"
managers = gl.http_get(f"/runners/{gra.id}/managers")
assert len(managers) == 1 and managers[0]["system_id"] == "<legacy>", managers
gra.check_auth()

print("runner clients conformance: all passed", flush=True)
