"""The kernel-side helper: what `notify` displays."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from jupyterlab_lmk import MIME_TYPE, notify


@pytest.fixture(scope="module", autouse=True)
def shell():
    return InteractiveShell.instance()


def displayed(**kwargs):
    with capture_output() as captured:
        notify(**kwargs)
    assert len(captured.outputs) == 1
    return captured.outputs[0].data


def test_displays_the_lmk_bundle_with_a_plain_text_fallback():
    data = displayed(message="epoch 10 done", title="Training")
    payload = data[MIME_TYPE]
    assert MIME_TYPE == "application/vnd.jupyterlab-lmk.notify+json"
    assert payload["message"] == "epoch 10 done"
    assert payload["title"] == "Training"
    assert payload["content_type"] == "text/markdown"
    assert "channels" not in payload
    assert len(payload["id"]) == 32
    assert data["text/plain"] == "[notification] Training: epoch 10 done"


def test_each_call_gets_its_own_id():
    first = displayed(message="a")[MIME_TYPE]["id"]
    second = displayed(message="a")[MIME_TYPE]["id"]
    assert first != second


def test_channels_accept_one_id_or_several():
    assert displayed(message="x", channels="lab")[MIME_TYPE]["channels"] == ["lab"]
    assert displayed(message="x", channels=("lab", "phone"))[MIME_TYPE]["channels"] == ["lab", "phone"]


def test_messages_are_converted_to_text():
    assert displayed(message=0.25)[MIME_TYPE]["message"] == "0.25"


def test_rejects_an_unknown_content_type():
    with pytest.raises(ValueError, match="content_type"):
        notify("x", content_type="text/html")


def test_importing_the_package_does_not_need_ipython():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['IPython'] = None\n"
        "import jupyterlab_lmk\n"
        "print(jupyterlab_lmk._jupyter_labextension_paths()[0]['dest'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "jupyterlab-lmk"
