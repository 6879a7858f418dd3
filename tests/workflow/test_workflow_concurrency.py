"""Two concurrent edits of one case never lose an update (optimistic locking on ``cases.version``)."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from wf_helpers import T0, new_case

from lantian.errors import WorkflowError
from lantian.store import open_database
from lantian.store.db import ConcurrentEdit
from lantian.store.models import Verification
from lantian.workflow.services import Workflow


def _race(*jobs):
    """Run the jobs in threads released together; return their results or exceptions in order."""
    barrier = threading.Barrier(len(jobs))
    out = [None] * len(jobs)

    def wrap(i, job):
        barrier.wait()
        try:
            out[i] = job()
        except Exception as exc:  # returned to the caller, which asserts on it
            out[i] = exc

    threads = [threading.Thread(target=wrap, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_the_loser_of_two_edits_from_the_same_version_gets_a_conflict_and_retries(wf):
    cid = new_case(wf)
    seen = wf.show_case("insp", cid)["version"]
    results = _race(
        lambda: wf.edit_case("insp", cid, {"address": "建设北路12号"}, T0, expected_version=seen),
        lambda: wf.edit_case(
            "boss", cid, {"description": "裸土约2000平方米未覆盖"}, T0, expected_version=seen
        ),
    )
    conflicts = [r for r in results if isinstance(r, ConcurrentEdit)]
    assert len(conflicts) == 1, results
    assert "已被他人修改" in str(conflicts[0]) and "再试" in str(conflicts[0])
    loser = results.index(conflicts[0])
    fresh = wf.show_case("insp", cid)["version"]
    change = {"address": "建设北路12号"} if loser == 0 else {"description": "裸土约2000平方米未覆盖"}
    wf.edit_case("boss", cid, change, T0, expected_version=fresh)
    final = wf.show_case("insp", cid)
    assert (final["address"], final["description"]) == ("建设北路12号", "裸土约2000平方米未覆盖")
    assert final["version"] == seen + 2


def _append_with_retry(wf: Workflow, actor: str, cid: int, tag: str) -> int:
    """Read-modify-write of the description, retried on conflict; returns the number of conflicts."""
    conflicts = 0
    while True:
        case = wf.show_case(actor, cid)
        try:
            wf.edit_case(
                actor,
                cid,
                {"description": f"{case['description']} {tag}"},
                T0,
                expected_version=case["version"],
            )
            return conflicts
        except ConcurrentEdit:
            conflicts += 1


def test_many_threads_appending_lose_nothing(wf):
    cid = new_case(wf, description="log:")
    tags = [f"t{w}-{i}" for w in range(4) for i in range(8)]

    def worker(w):
        return sum(_append_with_retry(wf, "insp", cid, f"t{w}-{i}") for i in range(8))

    results = _race(*(lambda w=w: worker(w) for w in range(4)))
    assert not any(isinstance(r, Exception) for r in results), results
    words = wf.show_case("insp", cid)["description"].split()
    assert sorted(words[1:]) == sorted(tags)
    assert wf.show_case("insp", cid)["version"] == 1 + len(tags)


def test_two_admins_closing_the_same_case_close_it_once(wf):
    cid = new_case(wf)
    wf.add_user("boss", "boss2", "副主任", "admin", None, T0)
    wf.assign("boss", cid, "雨湖区", T0)
    wf.start("yuhu", cid, T0)
    wf.rectify("yuhu", cid, "done", T0)
    results = _race(
        lambda: wf.verify("boss", cid, T0 + timedelta(hours=1)),
        lambda: wf.verify("boss2", cid, T0 + timedelta(hours=1), "不合格", accept=False),
    )
    winners = [r for r in results if isinstance(r, dict)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], ConcurrentEdit | WorkflowError)
    with wf.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Verification)) == 1
    assert wf.show_case("boss", cid)["status"] == winners[0]["status"]


def _process_worker(url: str, cid: int, worker: int, count: int) -> None:
    db = open_database(url)
    try:
        wf = Workflow(db)
        for i in range(count):
            _append_with_retry(wf, "insp", cid, f"p{worker}-{i}")
    finally:
        db.dispose()


def test_separate_processes_appending_lose_nothing(wf, db_url):
    cid = new_case(wf, description="log:")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_worker, args=(db_url, cid, w, 6)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    words = wf.show_case("insp", cid)["description"].split()
    assert sorted(words[1:]) == sorted(f"p{w}-{i}" for w in range(2) for i in range(6))


def test_stale_version_from_a_form_is_refused_without_change(wf):
    cid = new_case(wf)
    wf.edit_case("insp", cid, {"address": "新地址"}, T0)
    with pytest.raises(ConcurrentEdit, match="当前版本 2，您看到的是版本 1"):
        wf.assign("boss", cid, "雨湖区", T0, expected_version=1)
    assert wf.show_case("boss", cid)["status"] == "reported"
