"""A few HTML building blocks; every text passes through `esc`, markup is built only here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import urlencode

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
color:#1f2933;background:#f4f6f8}
header{background:#8b1a1a;color:#fff;padding:.8rem 1rem}
header a{color:#fff;text-decoration:none;margin-right:1rem;white-space:nowrap}
header h1{font-size:1.15rem;margin:.2rem 0 .4rem}
main{max-width:980px;margin:0 auto;padding:1rem}
h2{font-size:1.1rem;margin:1.4rem 0 .6rem;border-left:4px solid #8b1a1a;padding-left:.5rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
.muted{color:#5f6b7a;font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem}
.card{background:#fff;border-radius:8px;padding:.7rem .8rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .v{font-size:1.6rem;font-weight:600}
.card .l{color:#5f6b7a;font-size:.85rem}
.card.warn .v{color:#b42318}
.scroll{overflow-x:auto;background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
table{border-collapse:collapse;width:100%;min-width:420px}
th,td{padding:.45rem .6rem;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#fafbfc;font-weight:600;font-size:.9rem;white-space:nowrap}
td:first-child{min-width:7em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#e4e7eb;border-radius:4px;height:.6rem;min-width:80px}
.bar span{display:block;height:100%;border-radius:4px;background:#2f7d32}
.tag{display:inline-block;background:#fdecea;color:#b42318;border-radius:4px;padding:0 .35rem;font-size:.8rem}
.ok{background:#e8f5e9;color:#2f7d32}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}
form.inline label{font-size:.85rem;color:#5f6b7a;display:flex;flex-direction:column}
input,select,button{font:inherit;padding:.3rem .4rem}
article.roundup{background:#fff;border-radius:8px;padding:1rem 1.2rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
article.roundup p{text-indent:2em;margin:.5rem 0}
article.roundup p.muted{text-indent:0}
footer{max-width:980px;margin:0 auto;padding:1rem;color:#5f6b7a;font-size:.8rem}
@media (max-width:520px){main{padding:.6rem}.card .v{font-size:1.3rem}}
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value))


def href(path: str, **params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return esc(f"{path}?{query}" if query else path)


def link(path: str, text: object, **params: object) -> str:
    return f'<a href="{href(path, **params)}">{esc(text)}</a>'


def page(title: str, body: str, nav: Sequence[tuple[str, str]] = (), foot: str = "") -> str:
    links = "".join(f'<a href="{esc(url)}">{esc(text)}</a>' for text, url in nav)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><nav>{links}</nav></header>"
        f"<main>{body}</main><footer>{foot}</footer></body></html>"
    )


def section(heading: str, content: str, section_id: str = "") -> str:
    ident = f' id="{esc(section_id)}"' if section_id else ""
    return f"<section{ident}><h2>{esc(heading)}</h2>{content}</section>"


def card(label: str, value: object, warn: bool = False, test_id: str = "") -> str:
    cls = "card warn" if warn else "card"
    ident = f' data-testid="{esc(test_id)}"' if test_id else ""
    return f'<div class="{cls}"{ident}><div class="v">{esc(value)}</div><div class="l">{esc(label)}</div></div>'


def cards(items: Iterable[str]) -> str:
    return f'<div class="cards">{"".join(items)}</div>'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Sequence[int] = (),
    raw: Sequence[int] = (),
) -> str:
    """Rows of cells; columns in `numeric` align right, columns in `raw` are trusted markup."""
    head = "".join(
        f'<th class="n">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell if i in raw else esc(cell)
            cells.append(f'<td class="n">{text}</td>' if i in numeric else f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">暂无记录</td></tr>')
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def bar(fraction: float | None) -> str:
    if fraction is None:
        return '<span class="muted">无记录</span>'
    pct = round(max(0.0, min(1.0, fraction)) * 100)
    return f'<div class="bar" title="{pct}%"><span style="width:{pct}%"></span></div> <span class="muted">{pct}%</span>'


def tag(text: str, ok: bool = False) -> str:
    return f'<span class="tag{" ok" if ok else ""}">{esc(text)}</span>'
