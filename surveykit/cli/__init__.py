"""The ``surveykit`` command line: one module per subcommand (``cmd_<name>.py``), discovered at start-up.

A subcommand module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``. It only
parses and calls the library; rules live in the package. Shared options (``--json``, ``--debug``,
``--lang``) are declared once in :mod:`surveykit.cli.main`.
"""
