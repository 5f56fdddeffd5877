# Voilà settings that need Python (the rest is in voila.json, which Voilà reads too).
# Set the _xsrf cookie with every page, so that closing a tab shuts its kernel down (see
# surveykit.ui.server.set_xsrf_cookie); kernels of crashed tabs are culled (voila.json).
from surveykit.ui.server import set_xsrf_cookie

c.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie  # noqa: F821 - `c` is the traitlets config
