"""Drives a running Paddock with python-gitlab and the `gitlab` CLI exactly as a user would.

Environment: PADDOCK_URL (http://127.0.0.1:<port>) and PADDOCK_TOKEN (root's token).
Exits non-zero on the first failed expectation.
"""

import json
import os
import subprocess
import sys
import warnings

import gitlab
from gitlab.const import AccessLevel

URL = os.environ["PADDOCK_URL"]
TOKEN = os.environ["PADDOCK_TOKEN"]


def step(text):
    print(f"-- {text}", flush=True)


def expect_error(kind, code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except kind as error:
        assert error.response_code == code, f"expected {code}, got {error.response_code}: {error}"
        return error
    raise AssertionError(f"expected {kind.__name__} {code}")


gl = gitlab.Gitlab(URL, private_token=TOKEN)

step("auth and version")
gl.auth()
assert gl.user.username == "root", gl.user.username
assert gl.user.is_admin is True
version, revision = gl.version()
assert version.startswith("18."), version

step("users and personal access tokens")
alice = gl.users.create({"username": "alice", "name": "Alice", "email": "alice@example.com"})
bob = gl.users.create({"username": "bob", "name": "Bob", "email": "bob@example.com"})
assert gl.users.list(username="alice")[0].id == alice.id
assert gl.users.get(alice.id).name == "Alice"
expect_error(gitlab.GitlabCreateError, 409, gl.users.create,
             {"username": "alice", "name": "A", "email": "other@example.com"})
alice_token = alice.personal_access_tokens.create({"name": "cli", "scopes": ["api"]})
assert alice_token.token.startswith("glpat-")
reader_token = bob.personal_access_tokens.create({"name": "ro", "scopes": ["read_api"]})
gl_alice = gitlab.Gitlab(URL, private_token=alice_token.token)
gl_alice.auth()
assert gl_alice.user.username == "alice"
gl_bearer = gitlab.Gitlab(URL, oauth_token=alice_token.token)
gl_bearer.auth()
assert gl_bearer.user.username == "alice"
expect_error(gitlab.GitlabAuthenticationError, 401,
             gitlab.Gitlab(URL, private_token="glpat-wrong").auth)

step("groups and subgroups")
acme = gl.groups.create({"name": "Acme", "path": "acme"})
assert acme.runners_token.startswith("GR1348941")
platform = gl.groups.create({"name": "Platform", "path": "platform", "parent_id": acme.id})
assert platform.full_path == "acme/platform"
assert gl.groups.get("acme/platform").id == platform.id
assert [g.path for g in acme.subgroups.list()] == ["platform"]
acme.description = "the acme group"
acme.save()
assert gl.groups.get(acme.id).description == "the acme group"

step("projects by id and path, with the Paddock extensions")
web = gl.projects.create({
    "name": "Web",
    "namespace_id": platform.id,
    "repository_url": "file:///srv/git/web.git",
    "ci_config": "test:\n  script: [make test]\n",
})
assert web.path_with_namespace == "acme/platform/web"
assert web.runners_token.startswith("GR1348941")
same = gl.projects.get("acme/platform/web")
assert same.id == web.id
assert same.repository_url == "file:///srv/git/web.git"
same.description = "the web app"
same.shared_runners_enabled = False
same.save()
again = gl.projects.get(web.id)
assert again.description == "the web app"
assert again.shared_runners_enabled is False
expect_error(gitlab.GitlabGetError, 404, gl.projects.get, "acme/nothing")
own = gl_alice.projects.create({"name": "Own"})
assert own.path_with_namespace == "alice/own"

step("members with inheritance")
acme.members.create({"user_id": alice.id, "access_level": AccessLevel.DEVELOPER})
expect_error(gitlab.GitlabCreateError, 409, acme.members.create,
             {"user_id": alice.id, "access_level": AccessLevel.DEVELOPER})
member = acme.members.get(alice.id)
assert member.access_level == AccessLevel.DEVELOPER
inherited = gl_alice.projects.get(web.id)
assert inherited.permissions["group_access"]["access_level"] == AccessLevel.DEVELOPER
assert not hasattr(inherited, "runners_token"), "developers do not see the registration token"
member.access_level = AccessLevel.MAINTAINER
member.save()
assert acme.members.get(alice.id).access_level == AccessLevel.MAINTAINER
assert gl_alice.projects.get(web.id).runners_token.startswith("GR1348941")
web.members.create({"user_id": bob.id, "access_level": AccessLevel.REPORTER})
assert sorted(m.username for m in web.members.list(get_all=True)) == ["bob"]
web.members.delete(bob.id)
assert web.members.list(get_all=True) == []

step("protected branches")
web.protectedbranches.create({"name": "main"})
web.protectedbranches.create({"name": "release/*", "push_access_level": 0})
names = sorted(b.name for b in web.protectedbranches.list(get_all=True))
assert names == ["main", "release/*"], names
assert web.protectedbranches.get("release/*").push_access_levels[0]["access_level"] == 0
web.protectedbranches.delete("main")
assert [b.name for b in web.protectedbranches.list(get_all=True)] == ["release/*"]

step("registration token resets")
old = gl.projects.get(web.id).runners_token
result = gl.http_post(f"/projects/{web.id}/runners/reset_registration_token")
assert result["token"] != old and result["token"].startswith("GR1348941")
assert gl.projects.get(web.id).runners_token == result["token"]
instance = gl.http_post("/runners/reset_registration_token")
assert instance["token"].startswith("GR1348941")
group_reset = gl.http_post(f"/groups/{acme.id}/runners/reset_registration_token")
assert gl.groups.get(acme.id).runners_token == group_reset["token"]

step("scopes")
gl_reader = gitlab.Gitlab(URL, private_token=reader_token.token)
assert len(gl_reader.projects.list(get_all=True)) >= 0
expect_error(gitlab.GitlabCreateError, 403, gl_reader.groups.create, {"name": "no", "path": "no"})

step("pagination follows Link headers")
for i in range(23):
    gl.projects.create({"name": f"bulk-{i:02d}", "namespace_id": acme.id})
everything = gl.projects.list(get_all=True, per_page=7, search="bulk")
assert len(everything) == 23, len(everything)
assert len({p.id for p in everything}) == 23
lazy = gl.projects.list(iterator=True, per_page=10, search="bulk")
assert lazy.total == 23 and lazy.total_pages == 3 and lazy.per_page == 10
assert len(list(lazy)) == 23
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    first = gl.projects.list(search="bulk")
assert len(first) == 20
assert any("get_all" in str(w.message) for w in caught), "python-gitlab warns of more pages"
page_two = gl.projects.list(page=2, per_page=20, search="bulk")
assert len(page_two) == 3

step("the gitlab CLI")
cli = os.path.join(os.path.dirname(sys.executable), "gitlab")
env = dict(os.environ, GITLAB_URL=URL, GITLAB_PRIVATE_TOKEN=TOKEN)
out = subprocess.run([cli, "-o", "json", "group", "list", "--get-all"], env=env,
                     capture_output=True, text=True, check=True).stdout
assert {"acme", "platform"} <= {g["path"] for g in json.loads(out)}, out
out = subprocess.run([cli, "-o", "json", "project", "get", "--id", str(web.id)], env=env,
                     capture_output=True, text=True, check=True).stdout
assert json.loads(out)["path_with_namespace"] == "acme/platform/web"

step("deleting")
gl.projects.delete(own.id)
expect_error(gitlab.GitlabGetError, 404, gl.projects.get, own.id)
gl.groups.delete(acme.id)
expect_error(gitlab.GitlabGetError, 404, gl.groups.get, platform.id)
gl.users.delete(bob.id)
expect_error(gitlab.GitlabGetError, 404, gl.users.get, bob.id)

print("python-gitlab conformance: all passed", flush=True)
