"""XLSForm import and export: forms authored for KoboToolbox/ODK used unchanged, and questionnaires taken
out to Kobo/ODK. The full mapping is in ``docs/xlsform.md``.

:func:`read_xlsform` reads ``.xlsx``, ``.xlsm``, ``.xls`` and ``.ods`` workbooks (opened in one place,
:mod:`.xlsform_workbook`), the sheets ``survey``, ``choices`` and ``settings`` (plus surveykit's own sheet
``surveykit``; a one-sheet workbook is the survey, as in pyxform), never raises for a bad workbook, and
reports every problem at once with its sheet, row (Excel's numbering: the header is row 1) and column.
Question types and their aliases mean what they mean in pyxform (the tests check every type of pyxform's
table); why surveykit reads the cells itself is in ``docs/xlsform.md``.

* SK110 the workbook cannot be read; SK111 a sheet is missing; SK112 a column surveykit does not use
  (an error where dropping it would change what is collected); SK113 an unknown question type; SK123 a
  type surveykit does not collect, with what to do (``skip_unsupported=True``: left out, SK124 names each,
  SK125 for an expression still using one); SK114 unbalanced begin/end rows; SK115 a choice list that is
  not on the choices sheet; SK116 a language column without a code (``label::English``: mapped to ``en``
  anyway); SK117 a setting that is ignored; SK120/SK121 a cell below or right of where the sheet ends (60
  empty rows, 20 empty header cells, as pyxform reads it); SK122 a sheet past the row limit;
* names that are not valid SPSS/Stata names (``q1-a``, Cyrillic, more than 32 characters) are renamed,
  every ``${old}`` reference is rewritten, and ``metadata["xlsform_names"]`` keeps ``new -> old``;
* then the questionnaire checks run (:mod:`.checks`) and their problems name cells too.

:func:`write_xlsform` writes an ODK-compatible workbook: ``label::Русский (ru)`` columns, groups and
repeats as begin/end rows, yes_no and likert as ``select_one``, a matrix as a ``table-list`` group of
select_one rows ``<code>_<row>``; what XLSForm cannot hold goes into ``surveykit_*`` columns and the
``surveykit`` sheet (pyxform and KoboToolbox ignore unknown columns and sheets), so that reading the
workbook back gives a questionnaire equal to the one written.
"""

from __future__ import annotations

from surveykit.questionnaire.xlsform_read import read_xlsform
from surveykit.questionnaire.xlsform_write import write_xlsform

__all__ = ["read_xlsform", "write_xlsform"]
