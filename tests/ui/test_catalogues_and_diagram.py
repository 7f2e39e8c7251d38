"""The translation catalogues are complete, and the state diagrams come from the machine definitions."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from web.ui.diagram import machine_svg
from workflow.machines import DEFINITIONS

ROOT = Path(__file__).resolve().parents[2] / "web" / "translations"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_message_of_the_template_has_a_translation(locale):
    template = read_po((ROOT / "messages.pot").open("rb"))
    catalogue = read_po((ROOT / locale / "LC_MESSAGES" / "messages.po").open("rb"), locale=locale)
    missing = [m.id for m in template if m.id and (catalogue.get(m.id) is None or not catalogue.get(m.id).string
                                                  or catalogue.get(m.id).fuzzy)]
    assert missing == []


def test_placeholders_survive_translation():
    catalogue = read_po((ROOT / "zh" / "LC_MESSAGES" / "messages.po").open("rb"), locale="zh")
    for m in catalogue:
        if not m.id:
            continue
        source = m.id[0] if isinstance(m.id, tuple) else m.id
        target = m.string[0] if isinstance(m.string, tuple) else m.string
        assert sorted(re.findall(r"%\(\w+\)[sd]", source)) == sorted(re.findall(r"%\(\w+\)[sd]", target)), source


def test_the_templates_carry_no_message_outside_the_catalogue():
    template = read_po((ROOT / "messages.pot").open("rb"))
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert "Worklist" in ids and "Sign in" in ids and "Needs attention" in ids


@pytest.fixture
def request_context():
    app = Flask(__name__)
    from web.extensions import babel
    babel.init_app(app, locale_selector=lambda: "zh")
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize("body", ["party", "residents"])
def test_each_machine_is_drawn_with_every_state_and_step_of_its_definition(request_context, body):
    svg = machine_svg(body, "voting", lg="zh")
    definition = DEFINITIONS[body]
    for state in definition.states:
        assert f'data-state="{state}"' in svg
    assert 'data-state="voting" aria-current="step"' in svg
    for trigger in ("启动提名", "当场宣布选举结果", "另行选举", "重新选举", "当选无效", "检查验收"):
        assert trigger in svg
    assert ("适用村委会组织法" in svg) == (body == "residents")
    assert "<script" not in svg and "style=" not in svg


def test_a_new_state_in_a_definition_appears_in_its_diagram(request_context, monkeypatch):
    party = DEFINITIONS["party"]
    extra = replace(party, states=party.states + ("archived",),
                    transitions=party.transitions + ({"trigger": "archive", "source": "closed", "dest": "archived"},))
    monkeypatch.setitem(DEFINITIONS, "party", extra)
    svg = machine_svg("party", "closed", lg="en")
    assert 'data-state="archived"' in svg and "archive" in svg


def test_a_suspended_election_highlights_the_suspension_and_where_it_came_from(request_context):
    svg = machine_svg("party", "suspended", suspended_from="nomination", lg="en")
    assert 'data-state="suspended" aria-current="step"' in svg
    assert "Suspended" in svg and "Nomination" in svg


def test_catalogues_are_compiled_into_a_folder_of_choice(tmp_path):
    from babel.support import Translations

    from web.ui.i18n import compile_catalogues
    written = compile_catalogues(target=tmp_path)
    assert {p.parent.parent.name for p in written} == {"zh", "en"}
    zh = Translations.load(str(tmp_path), ["zh"])
    assert zh.gettext("Worklist") == "工作清单"


def test_a_read_only_installation_compiles_its_catalogues_elsewhere(monkeypatch):
    import web.ui.i18n as i18n
    real = i18n.compile_catalogues

    def read_only(source=i18n.TRANSLATIONS, target=None):
        if target is None:
            raise PermissionError("read-only file system")
        return real(source, target)
    monkeypatch.setattr(i18n, "compile_catalogues", read_only)
    app = Flask(__name__)
    from web.extensions import babel
    babel.init_app(app, locale_selector=lambda: "zh")
    i18n.ensure_catalogues(app)
    first = app.extensions["babel"].translation_directories[0]
    assert first.endswith("huanjie-translations") and Path(first, "zh", "LC_MESSAGES", "messages.mo").exists()
