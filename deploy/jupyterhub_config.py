# JupyterHub in front of surveykit (docs/deploy.md, "Many users: JupyterHub"). Tested: tests/serving/test_hub.py
# starts the hub with this file, signs in an interviewer and a supervisor, and uses the apps.
#
#   everyone -> signs in to the hub with their surveykit login and access code (surveykit.hub: one set of codes
#               and roles, from the store; lock-out applies) and gets a server of their own running the Voilà
#               apps (standalone Voilà: pages cannot run code of their own)
#   all      -> one database: SURVEYKIT_DATABASE_URL (PostgreSQL), and the other SURVEYKIT_* settings, taken from
#               the hub's environment
#
# Install (in the surveykit checkout): pip install -e ".[serve,postgres]" and the hub's proxy
#   npm install --prefix .venv/node configurable-http-proxy@5
# Start: SURVEYKIT_DATABASE_URL=postgresql+psycopg://... .venv/bin/jupyterhub -f deploy/jupyterhub_config.py
# Put nginx or Caddy in front for TLS (docs/deploy.md). Ports and the state folder (the hub's own database and
# cookie secret; default data/hub) come from the environment below.
import os

from surveykit.hub import configure

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

configure(
    c,
    ip=os.environ.get("SURVEYKIT_HUB_IP", "127.0.0.1"),
    port=int(os.environ.get("SURVEYKIT_HUB_PORT", "8000")),
    hub_port=int(os.environ.get("SURVEYKIT_HUB_API_PORT", "8081")),
    proxy_api_port=int(os.environ.get("SURVEYKIT_HUB_PROXY_API_PORT", "8001")),
    state_dir=os.environ.get("SURVEYKIT_HUB_STATE") or None,
)

# More knobs (https://jupyterhub.readthedocs.io): who may sign in to the hub, e.g. not trainees
#   c.SurveykitAuthenticator.allowed_roles = ["interviewer", "supervisor", "trainer", "administrator"]
# stop servers nobody uses: the jupyterhub-idle-culler service; memory per person: c.Spawner.mem_limit
# (enforced by container spawners, e.g. Kubernetes in Zero to JupyterHub)
