"""The kernel-side helper: what `notify` displays in a real kernel, and what
it says where it cannot send (outside a kernel, without IPython)."""

import subprocess
import sys

import pytest
from jupyter_client.manager import start_new_kernel

from jupyterlab_lmk import MIME_TYPE, notify


@pytest.fixture(scope="module")
def kernel():
    """A real ipykernel of this environment, for the whole module."""
    manager, client = start_new_kernel(kernel_name="python3")
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def displayed(kernel, call: str) -> list[dict]:
    """The display_data bundles that running `call` in the kernel produced."""
    outputs = []
    reply = kernel.execute_interactive(
        f"from jupyterlab_lmk import notify\n{call}",
        output_hook=outputs.append,
        timeout=60,
    )
    assert reply["content"]["status"] == "ok", reply["content"]
    assert not [m for m in outputs if m["msg_type"] == "stream"], "printed something"
    return [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code], capture_output=True, text=True, timeout=60
    )


def test_displays_the_lmk_bundle_with_a_plain_text_fallback(kernel):
    [data] = displayed(kernel, 'notify("epoch 10 done", title="Training")')
    payload = data[MIME_TYPE]
    assert MIME_TYPE == "application/vnd.jupyterlab-lmk.notify+json"
    assert payload["message"] == "epoch 10 done"
    assert payload["title"] == "Training"
    assert payload["content_type"] == "text/markdown"
    assert "channels" not in payload
    assert len(payload["id"]) == 32
    assert data["text/plain"] == "[notification] Training: epoch 10 done"


def test_each_call_gets_its_own_id(kernel):
    first, second = displayed(kernel, 'notify("a"); notify("a")')
    assert first[MIME_TYPE]["id"] != second[MIME_TYPE]["id"]


def test_channels_accept_one_id_or_several(kernel):
    [one] = displayed(kernel, 'notify("x", channels="lab")')
    [several] = displayed(kernel, 'notify("x", channels=("lab", "phone"))')
    assert one[MIME_TYPE]["channels"] == ["lab"]
    assert several[MIME_TYPE]["channels"] == ["lab", "phone"]


def test_messages_are_converted_to_text(kernel):
    [data] = displayed(kernel, "notify(0.25)")
    assert data[MIME_TYPE]["message"] == "0.25"


def test_the_no_install_form_displays_the_same_bundle(kernel):
    # The README's form for a kernel without this package: IPython alone.
    [data] = displayed(
        kernel,
        "from IPython.display import display\n"
        f'display({{"{MIME_TYPE}": {{"message": "epoch 10 done"}}}}, raw=True)',
    )
    assert data[MIME_TYPE] == {"message": "epoch 10 done"}


def test_rejects_an_unknown_content_type():
    with pytest.raises(ValueError, match="content_type"):
        notify("x", content_type="text/html")


def test_outside_a_kernel_it_warns_and_prints_nothing(capsys):
    with pytest.warns(RuntimeWarning, match="nothing was sent"):
        notify("epoch 10 done")
    assert capsys.readouterr().out == ""


def test_in_a_terminal_ipython_it_warns_and_prints_nothing():
    result = run_python(
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.instance()\n"
        "from jupyterlab_lmk import notify\n"
        "notify('epoch 10 done')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "RuntimeWarning" in result.stderr
    assert "only sends from a notebook or console of JupyterLab" in result.stderr


def test_without_ipython_it_says_what_to_install():
    result = run_python(
        "import sys; sys.modules['IPython'] = None\n"
        "from jupyterlab_lmk import notify\n"
        "notify('epoch 10 done')\n"
    )
    assert result.returncode == 1
    assert "ImportError: jupyterlab_lmk.notify needs IPython" in result.stderr
    assert "pip install ipykernel" in result.stderr


def test_importing_the_package_does_not_need_ipython():
    result = run_python(
        "import sys; sys.modules['IPython'] = None\n"
        "import jupyterlab_lmk\n"
        "print(jupyterlab_lmk._jupyter_labextension_paths()[0]['dest'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "jupyterlab-lmk"
