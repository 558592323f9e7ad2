"""The kernel relay in real kernels, ipykernel 6 and 7 (each test runs on
both): installation, run membership, who delivers, retries, secrets.

Deliveries go to a loopback receiver standing in for a webhook service
(its wire format is checked by the page's channel tests and the parity
tests of lmk_formats)."""

from __future__ import annotations

import json
import time

from conftest import relay_payload, webhook

SECRET = "s3cr3t-path"


def events_of(posts):
    return [json.loads(post["body"]) for post in posts]


def wait_started(page, msg_id, timeout=30.0):
    """Until the kernel has begun executing this request."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for msg in page.drain_iopub():
            if msg["msg_type"] == "execute_input" and msg["parent_header"].get("msg_id") == msg_id:
                return
    raise TimeoutError(msg_id)


def barrier(page):
    """Until the kernel executes requests again: after an error, ipykernel
    6 skips whatever reaches it before it has finished aborting its queue,
    a request sent at once included (as a cell run right after a failure)."""
    for _ in range(20):
        if page.reply("shell", page.execute("pass", silent=True))["content"]["status"] == "ok":
            return
        time.sleep(0.1)
    raise TimeoutError("the kernel keeps aborting")


def settle(page, run):
    return [reply["content"]["status"] for reply in page.wait_idle(run["ids"])]


def gate(tmp_path):
    """Code that holds a cell until the test lets it go, and the call that
    lets it go: for a cell that must run after the page's seal (in the lab
    the seal follows the cells within milliseconds; a loaded machine may
    start the first cell before the kernel has handled it)."""
    flag = tmp_path / "go"
    code = f"import os, time\nwhile not os.path.exists({str(flag)!r}): time.sleep(0.02)\n"
    return code, flag.touch


def test_a_kernel_without_the_watcher_answers_as_a_plain_comm_info_request(kernel):
    page = kernel.page()
    msg_id = page.send("control", "comm_info_request", {"target_name": "jupyterlab_lmk.relay.v1", "lmk": {"op": "probe"}})
    reply = page.reply("control", msg_id)
    assert reply["content"]["status"] == "ok"
    assert "lmk" not in reply["content"]


def test_installs_silently_and_answers_on_the_control_channel(kernel):
    page = kernel.page()
    count = page.reply("shell", page.execute("1 + 1"))["content"]["execution_count"]
    status = page.install()
    assert status == {"ok": True, "protocol": 1, "version": relay_payload()["version"]}
    assert page.lmk("control", "probe")["version"] == status["version"]
    # The silent install neither counted as an execution nor left a name.
    reply = page.reply("shell", page.execute("sorted(k for k in globals() if 'lmk' in k.lower() or 'relay' in k.lower())"))
    assert reply["content"]["execution_count"] == count + 1
    outputs = [m for m in page.drain_iopub() if m["msg_type"] == "execute_result"]
    assert outputs[-1]["content"]["data"]["text/plain"] == "[]"
    # Installing again keeps the watcher (same version).
    assert page.install()["version"] == status["version"]


def test_a_run_nobody_claims_is_sent_by_the_kernel_naming_the_failing_cell(kernel, receiver):
    page = kernel.page()
    page.install()
    run = page.run(["x = 1", "raise ValueError('boom')", "y = 2"], [webhook(receiver)], positions=[0, 2, 3])
    assert settle(page, run) == ["ok", "error", "aborted"]
    posts = receiver.wait_posts(1)
    assert len(posts) == 1
    assert posts[0]["headers"]["X-Lmk-Event-Id"] == "run:" + run["id"]
    event = json.loads(posts[0]["body"])
    assert event["sender"] == "kernel"
    assert event["event"] == "run.failed"
    assert event["error"]["ename"] == "ValueError"
    assert event["error"]["evalue"] == "boom"
    # The failing cell is the run's second, the notebook's third.
    assert event["cell"]["index"] == 2
    assert event["run"]["cells"] == 3 and event["run"]["executed"] == 2
    hello = page.lmk("control", "hello", holder="another-browser", client="c2")
    [record] = hello["records"]
    assert record["id"] == "run:" + run["id"]
    assert record["results"][0]["status"] == "sent"
    # Nothing more is sent later.
    time.sleep(1.5)
    assert len(receiver.posts) == 1


def test_a_claimed_run_is_left_to_the_page(kernel, receiver):
    page = kernel.page()
    page.install()
    run = page.run(["x = 1", "y = 2"], [webhook(receiver)])
    assert settle(page, run) == ["ok", "ok"]
    claim = page.lmk("control", "claim", id="run:" + run["id"], holder=page.holder)
    assert claim["granted"] and claim["channels"] == ["hook"]
    assert page.lmk("control", "done", id="run:" + run["id"], holder=page.holder, channels=["hook"], final=True)["ok"]
    # Past the grace window and the lease: still nothing from the kernel.
    time.sleep(3)
    assert receiver.posts == []
    assert page.lmk("control", "hello", holder="x", client="y")["records"] == []


def test_the_claim_is_answered_while_the_next_run_executes(kernel, receiver):
    """ipykernel 6 handles shell messages one at a time: a claim sent there
    would wait for the run queued behind. On the control channel it is
    answered while that run's cell executes."""
    page = kernel.page()
    page.install()
    first = page.run(["x = 1"], [webhook(receiver)])
    second = page.run(["import time; time.sleep(60)"], [webhook(receiver)])
    settle(page, first)
    wait_started(page, second["ids"][0])
    claim = page.lmk("control", "claim", timeout=30, id="run:" + first["id"], holder=page.holder)
    assert claim["granted"]
    # The second run's cell is still executing: it has not replied.
    assert ("shell", second["ids"][0]) not in page.replies
    kernel.km.interrupt_kernel()
    assert settle(page, second) == ["error"]


def test_two_pages_claiming_at_once_one_wins(kernel, receiver):
    page, other = kernel.page(), kernel.page()
    page.install()
    run = page.run(["x = 1"], [webhook(receiver)])
    settle(page, run)
    ids = [p.send("control", "comm_info_request", {"target_name": "jupyterlab_lmk.relay.v1", "lmk": {"op": "claim", "id": "run:" + run["id"], "holder": p.holder}}) for p in (page, other)]
    replies = [p.reply("control", msg_id)["content"]["lmk"] for p, msg_id in zip((page, other), ids)]
    assert sorted(r["granted"] for r in replies) == [False, True]
    loser = [r for r in replies if not r["granted"]][0]
    assert loser["by"] == "page"


def test_a_page_that_goes_away_after_claiming_is_taken_over(kernel, receiver):
    page = kernel.page()
    page.install()
    run = page.run(["x = 1"], [webhook(receiver)], lease_s=1.0)
    settle(page, run)
    assert page.lmk("control", "claim", id="run:" + run["id"], holder=page.holder)["granted"]
    # No done, no renewal: the lease runs out and the kernel sends.
    posts = receiver.wait_posts(1)
    assert len(posts) == 1 and json.loads(posts[0]["body"])["sender"] == "kernel"
    # The page's outbox, after a reload, asks again: refused, with the result.
    late = page.lmk("control", "claim", id="run:" + run["id"], holder=page.holder)
    assert not late["granted"] and late["by"] == "kernel"
    assert late["results"][0]["status"] == "sent"


def test_retries_keep_the_event_id_and_honour_retry_after(kernel, receiver):
    receiver.script = [(500, {}, 0), (429, {"Retry-After": "1"}, 0)]
    page = kernel.page()
    page.install()
    run = page.run(["x = 1"], [webhook(receiver)])
    settle(page, run)
    posts = receiver.wait_posts(3, timeout=60)
    assert len(posts) == 3
    assert {p["headers"]["X-Lmk-Event-Id"] for p in posts} == {"run:" + run["id"]}
    assert len({p["body"] for p in posts}) == 1
    assert posts[2]["at"] - posts[1]["at"] >= 1.0
    record = page.lmk("control", "hello", holder="h", client="c")["records"][0]
    assert record["results"][0] == dict(record["results"][0], status="sent", attempts=3)


def test_a_request_that_times_out_is_tried_again(kernel, receiver):
    receiver.script = [(200, {}, 3)]
    page = kernel.page()
    page.install()
    run = page.run(["x = 1"], [webhook(receiver)], request_timeout_s=1.0)
    settle(page, run)
    posts = receiver.wait_posts(2, timeout=60)
    assert len(posts) == 2
    assert posts[0]["headers"]["X-Lmk-Event-Id"] == posts[1]["headers"]["X-Lmk-Event-Id"]


def test_a_timeout_to_a_service_that_cannot_drop_copies_is_not_sent_again(kernel, receiver):
    """Stand-in for ntfy (loopback): it answers after the kernel stopped
    waiting; the message may have arrived, so the kernel does not post a
    second copy and records it as sent, not confirmed."""
    receiver.script = [(200, {}, 3)]
    page = kernel.page()
    page.install()
    phone = {"config": {"id": "phone", "type": "ntfy", "enabled": True, "server": receiver.url, "topic": "runs"},
             "run": True, "default": True}
    run = page.run(["x = 1"], [phone], request_timeout_s=1.0)
    settle(page, run)
    receiver.wait_posts(1)
    deadline = time.time() + 15
    records = []
    while time.time() < deadline and not records:
        records = page.lmk("control", "hello", holder="h", client="c")["records"]
        time.sleep(0.1)
    result = records[0]["results"][0]
    assert result["status"] == "sent" and result["confirmed"] is False
    assert result["failure"]["kind"] == "timeout"
    time.sleep(3)
    assert len(receiver.posts) == 1


def test_a_refused_delivery_is_given_up_with_a_record(kernel, receiver):
    receiver.script = [(404, {}, 0)]
    page = kernel.page()
    page.install()
    run = page.run(["x = 1"], [webhook(receiver)])
    settle(page, run)
    receiver.wait_posts(1)
    deadline = time.time() + 10
    records = []
    while time.time() < deadline and not records:
        records = page.lmk("control", "hello", holder="h", client="c")["records"]
        time.sleep(0.1)
    result = records[0]["results"][0]
    assert result["status"] == "failed" and result["failure"] == {"kind": "not-found", "status": 404}
    assert len(receiver.posts) == 1


def test_runs_queued_behind_a_failure_are_cancelled_not_reported(kernel, receiver):
    page = kernel.page()
    page.install()
    first = page.run(["import time; time.sleep(0.5); raise RuntimeError('first')"], [webhook(receiver)])
    second = page.run(["x = 1", "y = 2"], [webhook(receiver)])
    assert settle(page, first) == ["error"]
    assert settle(page, second) == ["aborted", "aborted"]
    posts = receiver.wait_posts(1)
    time.sleep(1.5)
    assert [e["error"]["evalue"] for e in events_of(receiver.posts)] == ["first"]
    assert len(posts) == 1


def test_a_raises_exception_cell_does_not_end_the_run(kernel, receiver):
    page = kernel.page()
    page.install()
    run = page.run(["raise KeyError('tagged')", "x = 1"], [webhook(receiver)], stop_on_error=[False, True])
    assert settle(page, run) == ["error", "ok"]
    [event] = events_of(receiver.wait_posts(1))
    assert event["event"] == "run.failed"
    assert event["run"]["executed"] == 2
    assert event["error"]["ename"] == "KeyError"


def test_the_rule_decides_and_can_change_while_the_run_goes_on(kernel, receiver):
    page = kernel.page()
    page.install()
    never = {"finished": None, "failed": None, "interrupted": None}
    quiet = page.run(["x = 1"], [webhook(receiver)], rule=never)
    settle(page, quiet)
    armed = page.run(["import time; time.sleep(1)"], [webhook(receiver)], rule=never)
    # "Notify me when done", armed while the run goes on.
    assert page.lmk("control", "update", run=armed["id"], rule={"finished": 0, "failed": 0, "interrupted": 0})["ok"]
    settle(page, armed)
    [event] = events_of(receiver.wait_posts(1))
    assert event["run"]["executed"] == 1
    time.sleep(1.5)
    assert len(receiver.posts) == 1


def test_interrupts_are_reported_only_when_armed(kernel, receiver):
    page = kernel.page()
    page.install()
    run = page.run(["import time; time.sleep(60)"], [webhook(receiver)])
    wait_started(page, run["ids"][0])
    kernel.km.interrupt_kernel()
    assert settle(page, run) == ["error"]
    barrier(page)
    armed = page.run(["import time; time.sleep(60)"], [webhook(receiver)], rule={"interrupted": 0})
    wait_started(page, armed["ids"][0])
    kernel.km.interrupt_kernel()
    settle(page, armed)
    [event] = events_of(receiver.wait_posts(1))
    assert event["event"] == "run.interrupted"
    assert event["run"]["started"] and event["run"]["duration_s"] > 0


def test_notify_from_kernel_code_reaches_the_channels(kernel, receiver, tmp_path):
    page = kernel.page()
    page.install()
    held, go = gate(tmp_path)
    code = held + (
        "from IPython.display import display\n"
        "display({'application/vnd.jupyterlab-lmk.notify+json': {'id': 'n1', 'message': 'epoch 10 done'},"
        " 'text/plain': 'epoch 10 done'}, raw=True)\n"
        "import time; time.sleep(2)"
    )
    never = {"finished": None, "failed": None, "interrupted": None}
    run = page.run([code], [webhook(receiver)], rule=never)
    go()
    settle(page, run)
    posts = receiver.wait_posts(1)
    assert [p["headers"]["X-Lmk-Event-Id"] for p in posts] == ["kernel:n1"]
    event = json.loads(posts[0]["body"])
    assert event["event"] == "manual" and event["message"] == "epoch 10 done"
    assert event["sender"] == "kernel"
    # The page, if it sees the output, claims the same id and is refused.
    assert page.lmk("control", "claim", id="kernel:n1", holder=page.holder)["by"] == "kernel"


def test_a_notify_claimed_by_the_page_is_not_sent_by_the_kernel(kernel, receiver):
    page = kernel.page()
    page.install()
    code = (
        "from IPython.display import display\n"
        "display({'application/vnd.jupyterlab-lmk.notify+json': {'id': 'n2', 'message': 'hi'}}, raw=True)\n"
    )
    never = {"finished": None, "failed": None, "interrupted": None}
    run = page.run([code, "import time; time.sleep(2)"], [webhook(receiver)], rule=never)
    page.reply("shell", run["ids"][0])
    assert page.lmk("control", "claim", id="kernel:n2", holder=page.holder)["granted"]
    page.lmk("control", "done", id="kernel:n2", holder=page.holder, final=True)
    settle(page, {"ids": run["ids"][1:]})
    time.sleep(1.5)
    assert receiver.posts == []


def test_a_page_opened_later_is_told_and_can_claim_a_run_in_its_grace_window(kernel, receiver):
    page = kernel.page()
    page.install()
    run = page.run(["import time; time.sleep(1)"], [webhook(receiver)], grace_s=30.0)
    settle(page, run)
    later = kernel.page()
    hello = later.lmk("control", "hello", holder=later.holder, client=later.session)
    [ended] = hello["ended"]
    assert ended["id"] == "run:" + run["id"] and ended["notify"]
    assert ended["summary"]["outcome"] == "finished"
    assert later.lmk("control", "claim", id=ended["id"], holder=later.holder)["granted"]
    later.lmk("control", "done", id=ended["id"], holder=later.holder, final=True)
    assert receiver.posts == []


def test_pages_that_said_hello_hear_of_the_end_and_of_deliveries(kernel, receiver):
    page = kernel.page()
    page.install()
    hello_id = page.send("control", "comm_info_request", {"target_name": "jupyterlab_lmk.relay.v1", "lmk": {"op": "hello", "holder": page.holder, "client": page.session}})
    page.reply("control", hello_id)
    run = page.run(["x = 1"], [webhook(receiver)])
    settle(page, run)
    receiver.wait_posts(1)
    time.sleep(0.5)
    pushes = [m for m in page.drain_iopub() if m["msg_type"] == "lmk_relay_event"]
    assert [m["parent_header"]["msg_id"] for m in pushes] == [hello_id, hello_id]
    assert [m["content"]["op"] for m in pushes] == ["ended", "delivered"]


def test_secrets_stay_out_of_the_user_namespace_and_are_dropped_after_delivery(kernel, receiver):
    page = kernel.page()
    page.install()
    entry = webhook(receiver, secret="hmac-s3cr3t")
    run = page.run(["import time; time.sleep(1)"], [entry], grace_s=0.5)
    settle(page, run)
    receiver.wait_posts(1)
    time.sleep(0.5)
    probe = (
        "_needles = ['s3' + 'cr3t-path', 'hmac-' + 's3cr3t']\n"
        "_found = [k for k, v in list(globals().items()) if k != '_needles' and any(n in repr(v) for n in _needles)]\n"
        "_relay = __import__('sys').modules['_jupyterlab_lmk_relay'].WATCHER\n"
        "_kept = [d.id for d in _relay.arbiter.deliveries.values() if d.channels or d.pool or d.context]\n"
        "print(_found, _kept)"
    )
    page.reply("shell", page.execute(probe))
    streams = [m["content"]["text"] for m in page.drain_iopub() if m["msg_type"] == "stream"]
    assert streams[-1].strip() == "[] []"
    everything = json.dumps([m["content"] for m in page.iopub])
    assert SECRET not in everything.replace(probe, "")
    assert "hmac-s3cr3t" not in everything


def test_notify_from_a_thread_reaches_the_channels(lab_kernel, receiver, tmp_path):
    page = lab_kernel.page()
    page.install()
    held, go = gate(tmp_path)
    code = held + (
        "import threading, time, jupyterlab_lmk\n"
        "t = threading.Thread(target=lambda: jupyterlab_lmk.notify('from a thread', title='Worker'))\n"
        "t.start(); t.join(); time.sleep(1)"
    )
    never = {"finished": None, "failed": None, "interrupted": None}
    run = page.run([code], [webhook(receiver)], rule=never)
    go()
    settle(page, run)
    [post] = receiver.wait_posts(1)
    event = json.loads(post["body"])
    assert event["title"] == "Worker" and event["message"] == "from a thread"
    assert post["headers"]["X-Lmk-Event-Id"].startswith("kernel:")


def test_ntfy_goes_as_the_browser_sends_it_not_as_a_form(receiver):
    """Stand-in for ntfy (loopback): the kernel's request carries the JSON
    body with the content type fetch gives a text body, not urllib's
    form type."""
    import lmk_formats
    import lmk_send

    event = lmk_formats.manual_event({"message": "epoch 10 done"}, {"notebook_path": "work/train.ipynb"})
    channel = {"id": "phone", "type": "ntfy", "enabled": True, "server": receiver.url, "topic": "runs"}
    request = lmk_formats.channel_request(channel, event, "kernel:m1")
    assert lmk_send.send_once(request) == (True, False, None)
    [post] = receiver.wait_posts(1)
    assert post["headers"]["Content-Type"] == "text/plain;charset=UTF-8"
    assert json.loads(post["body"])["topic"] == "runs"
    assert json.loads(post["body"])["message"].startswith("epoch 10 done")
