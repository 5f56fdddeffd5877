"""``python -m surveykit`` runs the command line."""

import sys

from surveykit.cli.main import main

sys.exit(main())
