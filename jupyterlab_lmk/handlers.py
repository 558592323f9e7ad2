"""The server side of the extension: one read-only API route,
``GET <base_url>lmk/api/settings-file``, which tells the lab whether the
user settings file that holds its tokens can be read by other users (a
browser cannot see file modes)."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .settings_file import check

#: The route, under the server's base URL.
ROUTE = "lmk/api/settings-file"


class SettingsFileHandler(APIHandler):
    """Where the settings file is, its mode, and the command that makes it
    private. Only the server's own user (authenticated) may ask."""

    def initialize(self, settings_dir: Any) -> None:
        self._settings_dir = settings_dir

    @web.authenticated
    def get(self) -> None:
        settings_dir = self._settings_dir()
        if settings_dir is None:
            raise web.HTTPError(404, "No JupyterLab user settings folder")
        self.finish(json.dumps(check(settings_dir)))


def user_settings_dir(serverapp: Any) -> str | None:
    """The user settings folder of the lab this server runs (JupyterLab or
    Notebook 7), read from its application when the request comes."""
    for apps in serverapp.extension_manager.extension_apps.values():
        for app in apps:
            folder = getattr(app, "user_settings_dir", None)
            if folder:
                return str(folder)
    return None


def setup_handlers(serverapp: Any) -> None:
    """Add the route to the server."""
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], ROUTE)
    web_app.add_handlers(
        ".*$",
        [(route, SettingsFileHandler, {"settings_dir": lambda: user_settings_dir(serverapp)})],
    )
