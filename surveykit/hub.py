"""JupyterHub in front of the apps: surveykit's own sign-in for the hub, and Voilà as each user's server.

``deploy/jupyterhub_config.py`` calls :func:`configure`; docs/deploy.md explains the set-up. What it does:

* :class:`SurveykitAuthenticator` signs people in with the login and access code of the response store (one
  set of codes and roles for the hub and every app; the store's lock-out applies). Only people holding one of
  ``allowed_roles`` get in; administrators are the hub's admins.
* Each signed-in person gets a server of their own, started by the hub (``SimpleLocalProcessSpawner``: a
  local process, no system accounts needed) running ``python -m surveykit.hub singleuser``, which runs the
  standalone ``voila`` on ``apps/`` under the person's URL prefix (``/user/<login>/``). Standalone Voilà, not
  Voilà as a Jupyter Server extension: a page may send its kernel only widget and kernel-info messages
  (``allowed_message_types``), so nobody runs code of their own, whatever the hub lets them open. The apps
  sign people in again with the same code (the kernel does not trust the URL); the data stay behind the
  apps' guards.
* Every server shares the configured database (``SURVEYKIT_DATABASE_URL``: PostgreSQL for many users) and
  the other ``SURVEYKIT_*`` settings of the hub's environment.
* The hub's proxy is ``configurable-http-proxy`` from npm, installed into the project (``.ci/run`` does:
  ``npm install --prefix .venv/node configurable-http-proxy@5``); :func:`proxy_command` finds it.

JupyterHub is imported only here (``pip install -e .[serve]``): nothing else in surveykit needs it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jupyterhub.auth import Authenticator
from traitlets import List, Unicode, default

from surveykit.config import PROJECT_ROOT, settings

__all__ = ["SurveykitAuthenticator", "configure", "landing_url", "proxy_command", "singleuser"]

#: the roles that get a server by default (every role of the apps)
ROLES = ("interviewer", "trainee", "supervisor", "trainer", "sociologist", "council", "administrator")


class SurveykitAuthenticator(Authenticator):
    """Sign in to the hub with a surveykit login and access code (the store's rule: wrong code SK506, locked
    SK520, deactivated SK521, no allowed role SK512)."""

    allowed_roles = List(
        Unicode(), default_value=list(ROLES), config=True, help="Roles that may sign in to the hub."
    )
    database_url = Unicode(
        "", config=True, help="The response store (default: the SURVEYKIT_DATABASE_URL setting)."
    )

    async def authenticate(self, handler: Any, data: dict[str, str]) -> dict[str, Any] | None:
        login = (data.get("username") or "").strip()
        code = data.get("password") or ""
        if not login or not code:
            return None

        def check():
            from surveykit.errors import SurveykitError
            from surveykit.store import Store

            try:
                with Store.open(self.database_url or None) as store:
                    return store.sign_in(login, code, self.allowed_roles), None
            except SurveykitError as err:
                return None, err

        person, error = await asyncio.to_thread(check)
        if person is None:
            self.log.warning("surveykit sign-in refused for %r: %s", login, getattr(error, "code", error))
            return None
        return {
            "name": person.id,
            "admin": "administrator" in person.roles,
            "groups": list(person.roles),
            "auth_state": {"roles": list(person.roles), "display_name": person.display_name},
        }

    @default("manage_groups")
    def _manage_groups_default(self) -> bool:
        return True  # the person's roles become the hub user's groups (landing_url reads them)

    @default("allow_all")
    def _allow_all_default(self) -> bool:
        return True  # authenticate() has already required one of allowed_roles, from the store


#: the app a person lands on after signing in to the hub, by their first role in this order
APP_OF_ROLE = (
    ("administrator", "admin"),
    ("supervisor", "supervisor"),
    ("trainer", "trainer"),
    ("sociologist", "dashboard"),
    ("council", "dashboard"),
    ("interviewer", "interview"),
    ("trainee", "lessons"),
)


def landing_url(handler: Any) -> str:
    """Where the hub sends a person after sign-in (``JupyterHub.default_url``): their app on their server,
    through the hub's spawn page (which starts the server when it is not running, then goes on)."""
    user = handler.current_user
    roles = {group.name for group in user.groups}
    app = next((app for role, app in APP_OF_ROLE if role in roles), "verify")
    from urllib.parse import urlencode

    return f"{handler.hub.base_url}spawn?{urlencode({'next': f'{user.url}voila/render/{app}.ipynb'})}"


def proxy_command() -> list[str]:
    """``configurable-http-proxy`` installed for the project (``.venv/node`` or ``deploy/node_modules``),
    else the one on PATH; FileNotFoundError with the command that installs it otherwise."""
    candidates = [
        Path(sys.prefix) / "node" / "node_modules" / ".bin" / "configurable-http-proxy",
        PROJECT_ROOT / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy",
    ]
    for path in candidates:
        if path.exists():
            return [str(path)]
    found = shutil.which("configurable-http-proxy")
    if found:
        return [found]
    raise FileNotFoundError(
        "JupyterHub's proxy configurable-http-proxy is not installed: run "
        f"`npm install --prefix {Path(sys.prefix) / 'node'} configurable-http-proxy@5` (Node.js 20 or newer)"
    )


def _texts() -> dict[str, str]:
    from surveykit.i18n import t

    keys = ("title", "login", "code", "submit", "error")
    return {key: f"{t('hub.' + key, 'ru')} · {t('hub.' + key, 'en')}" for key in keys}


def configure(
    c: Any,
    *,
    port: int = 8000,
    ip: str = "127.0.0.1",
    hub_port: int = 8081,
    proxy_api_port: int = 8001,
    state_dir: Path | None = None,
) -> None:
    """Fill a JupyterHub configuration ``c`` (see the module's description). ``state_dir`` holds the hub's
    own database and cookie secret (default ``data/hub``)."""
    state = Path(state_dir or Path(settings().data_dir) / "hub")
    state.mkdir(parents=True, exist_ok=True)
    c.JupyterHub.bind_url = f"http://{ip}:{port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
    c.ConfigurableHTTPProxy.command = proxy_command()
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.authenticator_class = SurveykitAuthenticator
    c.JupyterHub.default_url = landing_url
    c.JupyterHub.template_paths = [str(PROJECT_ROOT / "deploy" / "hub_templates")]
    c.JupyterHub.template_vars = {"surveykit": _texts()}
    c.JupyterHub.spawner_class = "simple"
    c.Spawner.cmd = [sys.executable, "-m", "surveykit.hub", "singleuser"]
    c.Spawner.args = []
    c.Spawner.environment = {k: v for k, v in os.environ.items() if k.startswith("SURVEYKIT_")}
    c.SimpleLocalProcessSpawner.home_dir_template = str(state / "users" / "{username}")
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180


def singleuser() -> None:
    """The command a spawned server runs: standalone Voilà on ``apps/`` under the person's URL prefix, on the
    address the hub chose (``JUPYTERHUB_SERVICE_URL``)."""
    from surveykit.ui.server import apps_dir, prepare_static, voila_command

    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    address = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8888/"))
    environment = {**os.environ, "SURVEYKIT_PLOTLY_JS": f"{prefix}voila/files/static/plotly.min.js"}
    prepare_static()
    os.chdir(apps_dir())
    command = voila_command(
        address.port or 8888, ip=address.hostname or "127.0.0.1", extra_args=[f"--Voila.base_url={prefix}"]
    )
    os.execve(command[0], command, environment)


if __name__ == "__main__":
    if sys.argv[1:] != ["singleuser"]:
        sys.exit(
            "usage: python -m surveykit.hub singleuser   (the command JupyterHub spawns for each person)"
        )
    singleuser()
