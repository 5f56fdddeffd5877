# Voilà settings that need Python (the rest is in voila.json, which Voilà reads too); the numbers come from the
# surveykit settings (SURVEYKIT_* environment variables or surveykit.toml, docs/deploy.md).
# Every page passes admission control first (at most `max_kernels` open pages per Voilà process; the next
# visitor gets a "server is busy" page) and gets the _xsrf cookie, so that closing a tab shuts its kernel down
# (surveykit.ui.server.admit_page); kernels of crashed tabs and closed laptops are culled when idle.
from surveykit.config import settings
from surveykit.ui.server import admit_page

c.VoilaConfiguration.prelaunch_hook = admit_page  # noqa: F821 - `c` is the traitlets config

c.MappingKernelManager.cull_idle_timeout = settings().kernel_idle_minutes * 60  # noqa: F821
c.MappingKernelManager.cull_interval = settings().kernel_cull_interval_s  # noqa: F821
c.MappingKernelManager.cull_connected = settings().kernel_cull_connected  # noqa: F821

# A photo, recording or document answering a file question reaches the kernel in one websocket message:
# let a file of the allowed size through (tornado's default is 10 MB), with room for the message around it.

c.Voila.tornado_settings = {  # noqa: F821
    "websocket_max_message_size": (settings().max_upload_mb + 8) * 1024 * 1024,
}
