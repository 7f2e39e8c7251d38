"""Each body's state machine drawn as SVG from workflow.machines.DEFINITIONS (never by hand)."""
from __future__ import annotations

from typing import Any, Optional
from xml.sax.saxutils import escape, quoteattr

from flask import render_template
from flask_babel import gettext as _

from workflow import guards as G
from workflow.labels import BODIES, STATES, TRIGGERS, label, trigger_label
from workflow.machines import DEFINITIONS, MAIN_PATH
from workflow.machines.base import Definition

from .blueprint import bp
from .common import lang

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
BOX_W, BOX_H, STEP, TOP, LEFT = 176, 38, 66, 16, 150
HUB_X = 540


def _t(value: Any) -> str:
    return escape(str(value))


def _a(value: Any) -> str:
    return quoteattr(str(value))


def _hubs(d: Definition) -> set[str]:
    """States entered only from three or more states at once (drawn beside the chain): 'suspended'."""
    incoming: dict[str, list[bool]] = {}
    for t in d.transitions:
        sources = t["source"] if isinstance(t["source"], (list, tuple)) else [t["source"]]
        if t["dest"] not in sources:
            incoming.setdefault(t["dest"], []).append(len(sources) >= 3)
    return {state for state, wide in incoming.items() if all(wide)}


def _edges(d: Definition) -> list[tuple[str, str, str]]:
    """Every (source, dest, trigger) of the definition, one per source state."""
    out = []
    for t in d.transitions:
        sources = t["source"] if isinstance(t["source"], (list, tuple)) else [t["source"]]
        for src in sources:
            out.append((src, t["dest"], t["trigger"]))
    return out


def _tip(d: Definition, trigger: str, lg: str) -> str:
    names = [G.GUARDS[c].condition(lg) for c in d.guards(trigger) if c in G.GUARDS]
    head = trigger_label(d.body, trigger, lg)
    return head + ("：" if lg != "en" else ": ") + "; ".join(names) if names else head


def machine_svg(body: str, current: Optional[str] = None, suspended_from: Optional[str] = None,
                lg: Optional[str] = None) -> str:
    """Return the SVG of a body's machine; highlight current (and where a suspension came from)."""
    lg = lg or lang()
    d = DEFINITIONS[body]
    hubs = _hubs(d)
    chain = [s for s in d.states if s not in hubs]
    pos = {s: (LEFT, TOP + i * STEP) for i, s in enumerate(chain)}
    height = TOP * 2 + (len(chain) - 1) * STEP + BOX_H
    hub_y = TOP + ((len(chain) - 1) * STEP) / 2
    for h in hubs:
        pos[h] = (HUB_X, hub_y)
    reached = MAIN_PATH.index(suspended_from or current) if (suspended_from or current) in MAIN_PATH else -1
    marker = f"arrow-{body}"
    parts: list[str] = [f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
                        f'fill="#5b6675"/></marker></defs>']
    edges = _edges(d)
    loops: dict[str, list[str]] = {}
    back: list[tuple[str, str, str]] = []
    hub_in: list[str] = []
    for src, dest, trig in edges:
        if trig in d.internal and dest not in hubs and src == dest:
            continue
        if dest in hubs:
            hub_in.append(src)
        elif src in hubs:
            continue  # resume: drawn as the return arrow of the hub
        elif src == dest:
            loops.setdefault(src, []).append(trig)
        elif chain.index(dest) == chain.index(src) + 1:
            x, y = pos[src]
            cx = x + BOX_W / 2
            parts.append(f'<g class="edge"><title>{_t(_tip(d, trig, lg))}</title>'
                         f'<line x1="{cx}" y1="{y + BOX_H}" x2="{cx}" y2="{y + STEP - 2}" stroke="#5b6675" '
                         f'stroke-width="1.5" marker-end="url(#{marker})"/>'
                         f'<text x="{cx + 8}" y="{y + BOX_H + (STEP - BOX_H) / 2 + 4}" font-size="11" '
                         f'fill="#3d4652">{_t(trigger_label(body, trig, lg))}</text></g>')
        else:
            back.append((src, dest, trig))
    for i, (src, dest, trig) in enumerate(back):
        (sx, sy), (dx, dy) = pos[src], pos[dest]
        off = 26 + 16 * i
        dash = ' stroke-dasharray="5 3"' if trig in d.internal else ""
        parts.append(f'<g class="edge back"><title>{_t(_tip(d, trig, lg))}</title>'
                     f'<path d="M{sx},{sy + BOX_H / 2} C{sx - off},{sy + BOX_H / 2} {dx - off},{dy + BOX_H / 2} '
                     f'{dx},{dy + BOX_H / 2}" fill="none" stroke="#a04a44" stroke-width="1.2"{dash} '
                     f'marker-end="url(#{marker})"/></g>')
    if back:
        names = sorted({trigger_label(body, t, lg) for _s, _d, t in back})
        dest = back[0][1]
        first_src = min((chain.index(s) for s, _d, _t2 in back))
        ly = (pos[dest][1] + pos[chain[first_src]][1]) / 2 + BOX_H / 2 + 4
        parts.append(f'<text x="{LEFT - 14 - 16 * len(back)}" y="{ly}" font-size="11" text-anchor="end" '
                     f'fill="#a04a44">{_t("、".join(names) if lg != "en" else ", ".join(names))}</text>')
    for state, trigs in loops.items():
        x, y = pos[state]
        rx, my = x + BOX_W, y + BOX_H / 2
        tip = "\n".join(_tip(d, t, lg) for t in trigs)
        sep = " / "
        parts.append(f'<g class="edge loop"><title>{_t(tip)}</title>'
                     f'<path d="M{rx},{my - 9} C{rx + 34},{my - 22} {rx + 34},{my + 22} {rx + 2},{my + 9}" '
                     f'fill="none" stroke="#5b6675" stroke-width="1.3" marker-end="url(#{marker})"/>'
                     f'<text x="{rx + 32}" y="{my - 14}" font-size="11" fill="#3d4652" stroke="#ffffff" '
                     f'stroke-width="3" paint-order="stroke">'
                     f'{_t(sep.join(trigger_label(body, t, lg) for t in trigs))}</text></g>')
    for hub in hubs:
        hx, hy = pos[hub]
        for src in hub_in:
            sx, sy = pos[src]
            parts.append(f'<line x1="{sx + BOX_W}" y1="{sy + BOX_H - 8}" x2="{hx}" y2="{hy + BOX_H / 2}" '
                         f'stroke="#c3c9d2" stroke-width="1"/>')
        lines = []
        if any(tr["trigger"] == "suspend" for tr in d.transitions):
            lines.append(_("%(suspend)s from any step", suspend=label(TRIGGERS, "suspend", lg)))
        if any(tr["trigger"] == "resume" for tr in d.transitions):
            lines.append(_("%(resume)s returns to that step", resume=label(TRIGGERS, "resume", lg)))
        for i, caption in enumerate(lines):
            parts.append(f'<text x="{hx + BOX_W / 2}" y="{hy + BOX_H + 18 + 15 * i}" font-size="11" '
                         f'text-anchor="middle" fill="#6b7280">{_t(caption)}</text>')
    for state in list(chain) + sorted(hubs):
        x, y = pos[state]
        is_current = state == current
        if is_current:
            fill, stroke, colour, weight = ("#c0392b" if state in hubs else "#2f6fab"), "#1d3f66", "#ffffff", "bold"
        elif state in MAIN_PATH and 0 <= MAIN_PATH.index(state) < reached:
            fill, stroke, colour, weight = "#e3f1e8", "#8dbf9f", "#24543a", "normal"
        elif state == suspended_from:
            fill, stroke, colour, weight = "#fdf1dc", "#e0a84a", "#6b4a12", "bold"
        else:
            fill, stroke, colour, weight = "#ffffff", "#aab3bf", "#2f3640", "normal"
        mark = ' aria-current="step"' if is_current else ""
        parts.append(f'<g class="node{" current" if is_current else ""}" data-state={_a(state)}{mark}>'
                     f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" '
                     f'stroke="{stroke}" stroke-width="{2 if is_current else 1.2}"/>'
                     f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 5}" text-anchor="middle" font-size="14" '
                     f'font-weight="{weight}" fill="{colour}">{_t(label(STATES, state, lg))}</text></g>')
    width = HUB_X + BOX_W + 10
    title = _("State diagram: %(body)s", body=label(BODIES, body, lg))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={_a(title)} class="diagram" '
            f'viewBox="0 0 {width} {height + 20}" width="100%" font-family={_a(FONT)}>'
            f'<title>{_t(title)}</title>{"".join(parts)}</svg>')


@bp.route("/machines")
def machines() -> Any:
    """Show both machines as diagrams, with the guards of each step."""
    lg = lang()
    bodies = []
    for body, d in DEFINITIONS.items():
        steps = []
        for t in d.transitions:
            if t["trigger"] in d.internal or t["trigger"] in {s["trigger"] for s in steps}:
                continue
            steps.append({"trigger": t["trigger"], "label": trigger_label(body, t["trigger"], lg),
                          "guards": [{"code": c, "message": G.GUARDS[c].condition(lg),
                                      "source": G.GUARDS[c].source} for c in d.guards(t["trigger"]) if c in G.GUARDS]})
        bodies.append({"body": body, "svg": machine_svg(body, lg=lg), "steps": steps})
    return render_template("machines.html", bodies=bodies)


@bp.route("/sources")
def sources() -> Any:
    """The legend of legal sources: every document the guards cite, and every guard under its citation."""
    from workflow.citations import DOCUMENTS, cite
    lg = lang()
    used: dict[str, list[dict[str, Any]]] = {}
    for g in G.GUARDS.values():
        for c in cite(g.source):
            key = c.document.key if c.document else ""
            used.setdefault(key, []).append({"code": g.code, "place": c.short(lg), "sort": c.code,
                                             "condition": g.condition(lg)})
    docs = [{"key": d.key, "short": d.short_en if lg == "en" else d.short_zh,
             "full": d.full_en if lg == "en" else d.full_zh,
             "guards": sorted(used.get(d.key, []), key=lambda r: r["sort"])} for d in DOCUMENTS.values()]
    return render_template("sources.html", docs=docs)
