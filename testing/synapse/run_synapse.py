"""Start a throwaway Synapse homeserver on a loopback port, for the tests.

Usage (with the Synapse venv, see the Makefile's `$(STAMPS)/synapse`):

    .venv-synapse/bin/python testing/synapse/run_synapse.py --port 8008

It writes a minimal homeserver.yaml into a data directory (a new temporary
one unless --data-dir is given), generates the signing key, starts
`synapse.app.homeserver`, waits until `/_matrix/client/versions` answers and
prints one line `SYNAPSE READY <base url>` on stdout. On SIGTERM or SIGINT it
stops Synapse and removes the temporary directory.

The homeserver is for tests only: SQLite, one HTTP listener on 127.0.0.1 with
the client API, no federation, registration closed except through the shared
secret admin API, rate limits lifted, cheap password hashing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supervise import answers, supervise  # noqa: E402  (testing/supervise.py)

#: The shared secret tests use to register users (not a secret: tests only).
DEFAULT_SHARED_SECRET = "lmk-test-registration-secret"

#: The server name; user ids look like @alice:localhost.
SERVER_NAME = "localhost"

UNLIMITED = {"per_second": 1000, "burst_count": 1000}


def homeserver_config(port: int, data_dir: str, shared_secret: str) -> dict:
    """The homeserver.yaml content, as a dict."""
    base_url = f"http://127.0.0.1:{port}/"
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": base_url,
        "serve_client_wellknown": True,
        "pid_file": os.path.join(data_dir, "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {
            "name": "sqlite3",
            "args": {"database": os.path.join(data_dir, "homeserver.db")},
        },
        "log_config": os.path.join(data_dir, "log.yaml"),
        "media_store_path": os.path.join(data_dir, "media"),
        "signing_key_path": os.path.join(data_dir, "signing.key"),
        "report_stats": False,
        "enable_metrics": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "enable_registration": False,
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": "lmk-test-macaroon-key",
        "form_secret": "lmk-test-form-secret",
        # Hashing passwords the production way costs ~0.3 s per login.
        "bcrypt_rounds": 4,
        # So a test can get a login token from an existing session and log
        # in with `m.login.token`, as a client does after SSO.
        "login_via_existing_session": {
            "enabled": True,
            "require_ui_auth": False,
            "token_timeout": "5m",
        },
        "rc_message": UNLIMITED,
        "rc_registration": UNLIMITED,
        "rc_login": {
            "address": UNLIMITED,
            "account": UNLIMITED,
            "failed_attempts": UNLIMITED,
        },
        "rc_joins": {"local": UNLIMITED, "remote": UNLIMITED},
        "rc_joins_per_room": UNLIMITED,
        "rc_invites": {
            "per_room": UNLIMITED,
            "per_user": UNLIMITED,
            "per_issuer": UNLIMITED,
        },
        "rc_room_creation": UNLIMITED,
        "rc_admin_redaction": UNLIMITED,
    }


LOG_CONFIG = """\
version: 1
formatters:
  brief:
    format: 'synapse %(levelname)s %(name)s: %(message)s'
handlers:
  console:
    class: logging.StreamHandler
    formatter: brief
    stream: ext://sys.stderr
loggers:
  # The start-up banner and refused tokens (tests do that on purpose).
  synapse.config.logger: {level: ERROR}
  synapse.api.auth: {level: ERROR}
root:
  level: WARNING
  handlers: [console]
disable_existing_loggers: false
"""


def write_files(port: int, data_dir: str, shared_secret: str) -> str:
    """Write the config, log config and signing key; return the config path."""
    import yaml  # Synapse's dependency, present in its venv.
    from signedjson.key import generate_signing_key, write_signing_keys

    os.makedirs(os.path.join(data_dir, "media"), exist_ok=True)
    config_path = os.path.join(data_dir, "homeserver.yaml")
    with open(config_path, "w") as f:
        yaml.safe_dump(homeserver_config(port, data_dir, shared_secret), f)
    with open(os.path.join(data_dir, "log.yaml"), "w") as f:
        f.write(LOG_CONFIG)
    key_path = os.path.join(data_dir, "signing.key")
    if not os.path.exists(key_path):
        with open(key_path, "w") as f:
            write_signing_keys(f, [generate_signing_key("a_lmk")])
    return config_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8008)
    parser.add_argument(
        "--data-dir", help="kept after exit; default: a new temporary directory"
    )
    parser.add_argument(
        "--shared-secret",
        default=os.environ.get("LMK_SYNAPSE_SHARED_SECRET", DEFAULT_SHARED_SECRET),
    )
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()

    temporary = args.data_dir is None
    data_dir = tempfile.mkdtemp(prefix="lmk-synapse-") if temporary else args.data_dir
    base_url = f"http://127.0.0.1:{args.port}/"
    started = time.monotonic()
    config_path = write_files(args.port, data_dir, args.shared_secret)

    def cleanup() -> None:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)

    return supervise(
        [sys.executable, "-m", "synapse.app.homeserver", "-c", config_path],
        cwd=data_dir,
        ready=lambda: answers(base_url + "_matrix/client/versions"),
        timeout=args.timeout,
        ready_line=lambda: (
            f"SYNAPSE READY {base_url} in {time.monotonic() - started:.1f} s"
        ),
        failed_line="Synapse did not start; its log is above.",
        cleanup=cleanup,
    )


if __name__ == "__main__":
    sys.exit(main())
