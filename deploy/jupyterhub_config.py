# JupyterHub in front of surveykit: one example, to adapt (docs/security.md, "Many users on one server").
#
#   sociologists  -> their own JupyterLab (per-user servers spawned by the hub; trusted staff who run code)
#   everyone else -> the Voilà apps, one shared Voilà server run by the hub as a service at
#                    https://HOST/services/surveykit/voila/render/interview.ipynb (exam, trainer, admin, ...)
#   all of them   -> one PostgreSQL database (SURVEYKIT_DATABASE_URL); surveykit's own sign-in (argon2
#                    access codes, sessions, lock-out) decides who may do what inside the apps.
#
# Install on the server (Debian): postgresql, nginx (TLS), nodejs + configurable-http-proxy, then in the
# surveykit venv: pip install -e ".[postgres]" jupyterhub. Start: jupyterhub -f deploy/jupyterhub_config.py
# NOT tested by the surveykit test suite (JupyterHub is not installed here): read it, adapt it, try it.
import os

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

SURVEYKIT = os.environ.get("SURVEYKIT_HOME", "/opt/surveykit")  # the checkout, with .venv/
VENV_BIN = f"{SURVEYKIT}/.venv/bin"
# One place for the database URL: the file is readable by root and the hub's user only (chmod 600).
DATABASE_URL = open("/etc/surveykit/database_url", encoding="utf-8").read().strip()  # noqa: SIM115

# --- the hub --------------------------------------------------------------------------------------------------
c.JupyterHub.bind_url = "http://127.0.0.1:8000"  # nginx terminates TLS in front (see docs/security.md)
c.JupyterHub.cookie_secret_file = "/var/lib/jupyterhub/cookie_secret"
c.JupyterHub.db_url = "sqlite:////var/lib/jupyterhub/jupyterhub.sqlite"
# Staff accounts are the machine's users (PAM); only the sociologists' group gets a JupyterLab.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {"sociologists"}
c.PAMAuthenticator.admin_groups = {"surveykit-admins"}

# --- per-user JupyterLab for sociologists (notebooks/, the CLI in a terminal) --------------------------------------
c.Spawner.cmd = [f"{VENV_BIN}/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = f"{SURVEYKIT}/notebooks"
c.Spawner.environment = {
    "SURVEYKIT_DATABASE_URL": DATABASE_URL,
    "SURVEYKIT_ROOT": SURVEYKIT,
}
c.Spawner.mem_limit = "2G"

# --- the Voilà apps for trainees, interviewers, supervisors, trainers, council members, administrators ------------
# The hub starts Voilà (and restarts it if it dies) and its proxy routes /services/surveykit/ to it. Voilà runs in
# apps/ so that apps/voila.json applies (no tracebacks, only static/*.js as files, idle kernels culled) and
# apps/voila.py (the _xsrf cookie: closing a tab shuts its kernel down). Voilà lets the browser run no code of its
# own; the apps sign people in with surveykit's access codes and sessions, whatever the hub knows about them.
c.JupyterHub.services = [
    {
        "name": "surveykit",
        "url": "http://127.0.0.1:8866",
        "cwd": f"{SURVEYKIT}/apps",
        "command": [
            f"{VENV_BIN}/voila",
            "--no-browser",
            "--port=8866",
            "--Voila.ip=127.0.0.1",
            "--Voila.base_url=/services/surveykit/",
        ],
        "environment": {
            "SURVEYKIT_DATABASE_URL": DATABASE_URL,
            "SURVEYKIT_ROOT": SURVEYKIT,
            "SURVEYKIT_PLOTLY_JS": "/services/surveykit/voila/files/static/plotly.min.js",
            "SURVEYKIT_SESSION_IDLE_MINUTES": "30",
            "SURVEYKIT_LOCKOUT_THRESHOLD": "5",
        },
        "display": True,  # listed on the hub's home page for signed-in staff
    }
]
# The hub's proxy routes /services/surveykit/ to Voilà without asking the hub who the visitor is: interviewers and
# council members need no hub account; the apps' own sign-in (access code, session, lock-out) protects the data.
