"""Fieldwork management: the institution register, the campaign plan (sample targets allocated to
interviewers), cases and contact attempts with AAPOR disposition codes, the final-disposition rule and the
AAPOR outcome rates.

* :mod:`surveykit.fieldwork.dispositions`: the AAPOR codes, their categories, the final-disposition rule;
* :mod:`surveykit.fieldwork.rates`: RR1–RR6, COOP1–COOP4, REF1–REF3, CON1–CON3 and e by CASRO (pure);
* :mod:`surveykit.fieldwork.outcome`: complete, partial or break-off by the share of questions answered;
* :mod:`surveykit.fieldwork.register`: the institution register from CSV or XLSX (all or nothing);
* :mod:`surveykit.fieldwork.campaign`: sample targets from the profile's sample rule, allocated to interviewers;
* :mod:`surveykit.fieldwork.contacts`: cases and attempts for the apps, paper contact logs, exports, rates.

Nothing here is imported by this package's ``__init__``: the apps and the CLI import only what they use.
Storage is :class:`surveykit.store.fieldwork.Fieldwork` (``store.fieldwork``); docs/fieldwork.md explains
the method, the codes and the file formats.
"""
