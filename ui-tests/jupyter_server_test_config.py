"""Server configuration for the UI tests.

Never use this configuration in production: it removes the server's
protections and exposes the lab's JavaScript objects to the page.
"""

from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

# User settings of its own: the tests that write settings files by hand
# (tests/settings.spec.ts) find it in the page config (userSettingsDir).
c.LabApp.user_settings_dir = mkdtemp(prefix="lmk-ui-settings-")  # noqa: F821

# The kernel relay's grace window (docs/kernel-relay.md): 4 s instead of 10,
# so that the tests that wait past it (tests/relayFixtures.ts, GRACE_S) wait
# less.
c.ServerApp.tornado_settings = {"page_config_data": {"lmkRelayGraceSeconds": 4}}  # noqa: F821

# Loopback only, whatever configure_jupyter_server decides.
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
# CI machines run the suite as root.
c.ServerApp.allow_root = True  # noqa: F821
# Keep the suite's output readable; Playwright polls the URL for readiness.
c.ServerApp.log_level = "ERROR"  # noqa: F821
