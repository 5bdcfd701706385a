"""Shared page frame and date formatting for the HTML views."""

from __future__ import annotations

from html import escape

from intake.domain.time import day_vi, moment_vi

__all__ = ["CSS", "day_vi", "moment_vi", "page"]

CSS = """
*{box-sizing:border-box}body{margin:0;font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;
color:#1a1a1a;background:#f4f6f8;line-height:1.5}main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
.card{background:#fff;border-radius:.6rem;padding:1rem;margin-bottom:1rem;
box-shadow:0 1px 3px rgba(0,0,0,.08)}.late{color:#b00020;font-weight:600}.ok{color:#1b5e20}
ol.steps{padding-left:1.2rem}ol.steps li.done{color:#555}ol.steps li.now{font-weight:700}
label{display:block;margin:.4rem 0}input,select,textarea,button{font:inherit;padding:.5rem;
width:100%;border:1px solid #bbb;border-radius:.4rem}button{background:#0b5cab;color:#fff;
border:0;margin-top:.6rem}.muted{color:#666;font-size:.9rem}
"""


def page(title: str, body: str, *, extra_css: str = "") -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{CSS}{extra_css}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
