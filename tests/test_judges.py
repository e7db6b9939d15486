"""Gold judges: spec parsing, pointwise comparison, and the API judge against a local stand-in
server (no network): the key travels only in the header, positions are randomised and undone."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from pftlib.llm import judges


def by_length(prompts, completions):
    return [float(len(c.split())) for c in completions]


def test_specs_are_checked_and_the_api_key_comes_only_from_the_environment(monkeypatch):
    monkeypatch.delenv(judges.KEY_ENV, raising=False)
    judges.check_spec("verifier")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # a hub id that is not cached cannot be had offline: said before compute
    with pytest.raises(ValueError, match="HF_HUB_OFFLINE"):
        judges.check_spec("rm:some/folder")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    judges.check_spec("rm:some/folder")  # online, it may download
    for bad in ("", "gpt-4o", "rm:", "api:", "oracle:x"):
        with pytest.raises(ValueError, match="judge must be"):
            judges.check_spec(bad)
    with pytest.raises(ValueError, match=judges.KEY_ENV):
        judges.check_spec("api:gpt-4o")
    monkeypatch.setenv(judges.KEY_ENV, "sk-test")
    judges.check_spec("api:gpt-4o")
    with pytest.raises(ValueError, match="needs the synthetic task"):
        judges.from_spec("verifier", None)


def test_a_scoring_judge_compares_with_ties_half():
    judge = judges.from_spec("verifier", by_length)
    assert judge.compare(["p"] * 3, [" a b", " a", " a"], [" a", " a b", " b"]) == [1.0, 0.0, 0.5]


class _Judge(BaseHTTPRequestHandler):
    """Prefers the longer summary; answers '?' when the post says 'confuse'."""

    seen: list = []
    first_longer: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        content = body["messages"][0]["content"]
        _Judge.seen.append((self.path, self.headers["Authorization"], body["model"]))
        a = content.split("Summary A:\n")[1].split("\n\nSummary B:")[0]
        b = content.split("Summary B:\n")[1].split("\n\nAnswer")[0]
        _Judge.first_longer.append(len(a) > len(b))
        answer = "?" if "confuse" in content else "A" if len(a) > len(b) else "B"
        data = json.dumps({"choices": [{"message": {"content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    httpd = HTTPServer(("127.0.0.1", 0), _Judge)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv(judges.URL_ENV, f"http://127.0.0.1:{httpd.server_port}/v1")
    monkeypatch.setenv(judges.KEY_ENV, "sk-local-test")
    _Judge.seen, _Judge.first_longer = [], []
    yield
    httpd.shutdown()


def test_the_api_judge_undoes_its_random_order(server):
    judge = judges.from_spec("api:judge-model", None, seed=3)
    assert judge.score is None and judge.name == "api:judge-model"
    n = 40
    ours, reference = [" a long summary"] * n, [" short"] * n
    assert judge.compare(["post"] * n, ours, reference) == [1.0] * n  # whichever position it was shown in
    assert 5 < sum(_Judge.first_longer) < n - 5  # both orders were shown
    assert judge.compare(["post"] * n, reference, ours) == [0.0] * n
    assert judge.compare(["confuse"], ours[:1], reference[:1]) == [0.5]
    assert {s for s in _Judge.seen} == {("/v1/chat/completions", "Bearer sk-local-test", "judge-model")}


def test_the_api_judge_refuses_to_run_without_its_key(server, monkeypatch):
    judge = judges.APIJudge("m")
    monkeypatch.delenv(judges.KEY_ENV)
    with pytest.raises(RuntimeError, match=judges.KEY_ENV):
        judge.compare(["p"], ["a"], ["b"])


def test_the_api_key_never_follows_a_redirect(server, monkeypatch):
    """An endpoint that redirects elsewhere gets an error, and the other host never sees the key."""
    other = HTTPServer(("127.0.0.1", 0), _Judge)
    threading.Thread(target=other.serve_forever, daemon=True).start()

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{other.server_port}/v1/chat/completions")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    moved = HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=moved.serve_forever, daemon=True).start()
    monkeypatch.setenv(judges.URL_ENV, f"http://127.0.0.1:{moved.server_port}/v1")
    with pytest.raises(RuntimeError, match="redirected"):
        judges.APIJudge("m").compare(["p"], ["a"], ["b"])
    assert _Judge.seen == []  # the redirect's target got nothing
    moved.shutdown()
    other.shutdown()


@pytest.mark.parametrize("url, ok", [("https://api.example.com/v1", True), ("http://localhost:8000/v1", True),
                                     ("http://127.0.0.1:9/v1", True), ("http://api.example.com/v1", False),
                                     ("ftp://example.com", False), ("https://", False), ("example.com/v1", False)])
def test_the_api_endpoint_is_https_or_this_machine(monkeypatch, url, ok):
    monkeypatch.setenv(judges.KEY_ENV, "sk-test")
    monkeypatch.setenv(judges.URL_ENV, url)
    if ok:
        judges.check_spec("api:m")
    else:
        with pytest.raises(ValueError, match=judges.URL_ENV):
            judges.check_spec("api:m")


def test_chapter_4_runs_and_renders_with_an_api_judge(server, checkout):
    """``-p judge api:MODEL`` through a whole quick Chapter 4, against the local stand-in (which
    prefers the longer summary): every policy gets a winrate, and no score-based number is faked."""
    import nbformat
    from conftest import pft

    out = checkout / "out" / "04_pipeline.ipynb"
    result = pft("run", "pipeline", "--quick", "-p", "judge", "api:stub-judge", "--out", str(out), cwd=checkout)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _Judge.seen and {s[1:] for s in _Judge.seen} == {("Bearer sk-local-test", "stub-judge")}
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    glued = {o["metadata"]["scrapbook"]["name"]: " ".join(map(str, o["data"].values())) for o in outputs
             if "scrapbook" in o.get("metadata", {})}
    assert glued["metric"] == "'winrate'" and "cannot score" in glued["gold_dpo_verdict"], glued
    assert not [o for o in outputs if o["output_type"] == "error"]


def test_a_model_folder_must_hold_a_saved_model_and_a_hub_id_must_be_reachable(tmp_path, monkeypatch):
    from pftlib.llm.config import Pipeline

    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no saved model"):
        Pipeline(model=str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="holds no saved model"):
        judges.check_spec(f"rm:{tmp_path / 'empty'}")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ValueError, match="parameters model: .*HF_HUB_OFFLINE"):
        Pipeline(model="nobody/x")


def test_chapter_5_runs_and_renders_with_an_api_judge(server, checkout):
    """Chapter 5 with ``-p judge api:MODEL``: best-of-N is judged by winrate, and the page renders."""
    import nbformat
    from conftest import pft

    out = checkout / "out" / "05_reward_models.ipynb"
    result = pft("run", "reward-models", "--quick", "-p", "judge", "api:stub-judge", "--out", str(out), cwd=checkout)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _Judge.seen
    outputs = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
