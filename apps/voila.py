# Voilà settings that need Python (the rest is in voila.json, which Voilà reads too).
# Set the _xsrf cookie with every page, so that closing a tab shuts its kernel down (see
# surveykit.ui.server.set_xsrf_cookie); kernels of crashed tabs are culled (voila.json).
from surveykit.config import settings
from surveykit.ui.server import set_xsrf_cookie

c.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie  # noqa: F821 - `c` is the traitlets config

# A photo, recording or document answering a file question reaches the kernel in one websocket message:
# let a file of the allowed size through (tornado's default is 10 MB), with room for the message around it.

c.Voila.tornado_settings = {  # noqa: F821
    "websocket_max_message_size": (settings().max_upload_mb + 8) * 1024 * 1024,
}
