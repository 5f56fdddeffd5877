"""A region's profile extends the shipped one and changes only what differs (`extends: ru_nok_344n_2018`)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from surveykit.errors import ErrorCode, MethodologyError
from surveykit.scoring import load_profile, rate, read_profile

from .helpers import all_yes, audit, premises, survey

REGION = """\
schema_version: 1
id: ru_tver_2026
extends: ru_nok_344n_2018
title: {ru: НОК Тверской области, en: Tver region}
sample: {absolute_minimum: 40}
labels:
  stand_info_02: {ru: структура управления (региональный пункт), en: structure (regional item)}
criteria:
  - id: K1
    indicators:
      - id: "1.1"
        channels:
          - name: stand
            items: [stand_info_01, stand_info_02, stand_info_03]
            required: all
          - name: site
            required: [site_info_01, site_info_02]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_extension_changes_only_what_it_names(tmp_path, nok):
    profile = load_profile(_write(tmp_path, "ru_tver_2026.yaml", REGION))
    assert profile.id == "ru_tver_2026" and profile.title["en"] == "Tver region"
    assert profile.bases == (str(Path(nok.path).resolve()),) or profile.bases[0].endswith(
        "ru_nok_344n_2018.yaml"
    )
    channels = {c.name: c for c in profile.indicator("1.1").channels}
    assert channels["stand"].items == ["stand_info_01", "stand_info_02", "stand_info_03"]
    assert channels["stand"].required == "all"
    assert channels["site"].required == ["site_info_01", "site_info_02"]
    assert channels["site"].items == {c.name: c for c in nok.indicator("1.1").channels}["site"].items  # kept
    assert profile.sample.absolute_minimum == 40 and profile.sample.cap == nok.sample.cap  # merged key by key
    assert profile.label("stand_info_02", "en") == "structure (regional item)"
    assert profile.label("stand_info_01", "en") == nok.label("stand_info_01", "en")
    # everything else is the base's: criteria, weights, policies, variants
    assert [c.id for c in profile.criteria] == [c.id for c in nok.criteria]
    assert profile.indicator("5.3").weight == nok.indicator("5.3").weight
    assert profile.variants.keys() == nok.variants.keys()
    # and it rates: only the three stand items count on the stand
    sources = {
        "recipient_survey": survey("i1", "2025", 40, all_yes(40)),
        "website_audit": audit("i1", "2025", stand_present=["stand_info_01", "stand_info_02", "stand_info_03"],
                               site_present=["site_info_01", "site_info_02"]),
        "premises_checklist": premises("i1", "2025"),
    }  # fmt: skip
    assert rate(profile, sources).table["1.1"].iloc[0] == 100.0
    assert rate(nok, sources).table["1.1"].iloc[0] < 100.0


def test_remove_and_new_entries(tmp_path):
    path = _write(
        tmp_path,
        "region.yaml",
        """\
        schema_version: 1
        id: region
        extends: ru_nok_344n_2018
        title: Region
        criteria:
          - id: K2
            indicators:
              - {id: "2.2", remove: true}
              - {id: "2.1", weight: 0.4}
              - {id: "2.3", weight: 0.4}
              - id: "2.4"
                name: {ru: Доля удовлетворённых графиком, en: Satisfied with the schedule}
                type: share_yes
                weight: 0.2
                source: recipient_survey
                question: q14
        """,
    )
    profile = load_profile(path)
    assert [i.id for i in profile.criterion("K2").indicators] == ["2.1", "2.3", "2.4"]
    assert [i.weight for i in profile.criterion("K2").indicators] == [0.4, 0.4, 0.2]
    # the base's variant changes 2.2, which this profile removed: refused with its location, never ignored
    with pytest.raises(MethodologyError) as caught:
        load_profile(path, variant="k2_with_waiting_time")
    assert "'2.2'" in caught.value.message and caught.value.location.file.endswith("ru_nok_344n_2018.yaml")


def test_problems_are_located_in_the_file_their_text_comes_from(tmp_path):
    base = _write(
        tmp_path,
        "base.yaml",
        Path(load_profile("ru_nok_344n_2018").path)
        .read_text(encoding="utf-8")
        .replace("id: ru_nok_344n_2018", "id: base", 1),
    )
    child = _write(
        tmp_path,
        "child.yaml",
        """\
        schema_version: 1
        id: child
        extends: base.yaml
        criteria:
          - id: K2
            indicators:
              - id: "2.1"
                weight: 0.7
              - id: "2.3"
                wieght: 0.3
        """,
    )
    report = read_profile(child).report
    unknown = next(p for p in report.errors if p.code is ErrorCode.FIELD_UNKNOWN)
    assert unknown.location.file == str(child) and unknown.location.line == 10 and "weight" in unknown.message
    weights = next(p for p in report.errors if p.code is ErrorCode.PROFILE_WEIGHTS)
    assert "2.1: 0.7 + 2.3: 0.5" in weights.message  # 2.3 keeps the base's weight
    # a problem of the base (K4, which the child does not touch) is located in the base
    text = base.read_text(encoding="utf-8")
    base.write_text(
        text.replace("weight: 0.4              # [C] K4 =", "weight: 0.5              # [C] K4 =", 1),
        encoding="utf-8",
    )
    child.write_text(child.read_text(encoding="utf-8").replace("wieght", "weight"), encoding="utf-8")
    report = read_profile(child).report
    k4 = next(p for p in report.errors if p.code is ErrorCode.PROFILE_WEIGHTS and "K4" in p.message)
    assert k4.location.file == str(base) and k4.location.line > 100


def test_an_unknown_base_a_cycle_and_the_base_id_are_refused(tmp_path):
    report = read_profile(
        _write(tmp_path, "a.yaml", "schema_version: 1\nid: a\nextends: ru_nok_344n_2O18\n")
    ).report
    problem = report.errors[0]
    assert problem.code is ErrorCode.PROFILE_BASE_UNKNOWN and problem.location.line == 3
    assert "ru_nok_344n_2018" in problem.hint  # the profiles there are listed
    _write(tmp_path, "b.yaml", "schema_version: 1\nid: b\nextends: c\n")
    _write(tmp_path, "c.yaml", "schema_version: 1\nid: c\nextends: b\n")
    cycle = read_profile(tmp_path / "b.yaml").report.errors[0]
    assert cycle.code is ErrorCode.PROFILE_BASE_UNKNOWN and "cycle" in cycle.message
    same = read_profile(
        _write(tmp_path, "d.yaml", "schema_version: 1\nid: ru_nok_344n_2018\nextends: ru_nok_344n_2018\n")
    )
    assert "needs its own id" in same.report.errors[0].message
    missing = read_profile(_write(tmp_path, "e.yaml", "schema_version: 1\nextends: ru_nok_344n_2018\n"))
    assert any(p.code is ErrorCode.FIELD_MISSING and p.params["field"] == "id" for p in missing.report.errors)


def test_removing_what_the_base_does_not_have_is_an_error(tmp_path):
    path = _write(
        tmp_path,
        "r.yaml",
        """\
        schema_version: 1
        id: r
        extends: ru_nok_344n_2018
        criteria:
          - id: K2
            indicators:
              - {id: "2.9", remove: true}
        """,
    )
    problem = read_profile(path).report.errors[0]
    assert "'2.9' is removed, but the base profile has no such entry" in problem.message
    assert "did you mean" in problem.message and problem.location.file == str(path)


def test_a_changed_base_is_read_again(tmp_path):
    base = _write(tmp_path, "base.yaml", Path(load_profile("ru_nok_344n_2018").path).read_text(encoding="utf-8")
                  .replace("id: ru_nok_344n_2018", "id: base", 1))  # fmt: skip
    child = _write(tmp_path, "child.yaml", "schema_version: 1\nid: child\nextends: base\n")
    assert load_profile(child).sample.cap == 600
    base.write_text(base.read_text(encoding="utf-8").replace("cap: 600 ", "cap: 500 "), encoding="utf-8")
    stat = base.stat()
    os.utime(base, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert load_profile(child).sample.cap == 500
