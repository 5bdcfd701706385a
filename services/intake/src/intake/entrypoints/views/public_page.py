"""The citizen's page after scanning the QR code: where the dossier stands, no personal data."""

from __future__ import annotations

from html import escape as e

from intake.application.public_lookup import PublicView
from intake.domain.satisfaction import CRITERIA_VI, LEVEL_VI
from intake.entrypoints.views.common import day_vi, moment_vi, page


def dossier(v: PublicView, *, notice: str = "") -> str:
    items = []
    for m in v.milestones:
        mark = {"done": "✓ ", "now": "▶ ", "todo": ""}[m.state]
        items.append(f'<li class="{m.state}">{mark}{e(m.name_vi)}</li>')
    late = (
        '<p class="late">Hồ sơ đã quá hạn hẹn trả kết quả.</p>'
        if v.late
        else ('<p class="ok">Hồ sơ đang trong thời hạn.</p>' if not v.finished else "")
    )
    apology = ""
    due_label = "Ngày hẹn trả kết quả"
    if v.apology_new_due_at is not None:
        due_label = "Ngày hẹn trả kết quả ban đầu"
        reason = f"<br>Lý do: {e(v.apology_reason_vi)}" if v.apology_reason_vi else ""
        apology = (
            '<div class="card"><strong>Phiếu xin lỗi và hẹn lại ngày trả kết quả</strong>'
            "<p>Cơ quan giải quyết thành thật xin lỗi vì chậm trả kết quả."
            f"{reason}<br>Ngày hẹn trả mới: "
            f"<strong>{e(moment_vi(v.apology_new_due_at))}</strong></p></div>"
        )
    body = f"""
<h1>Tra cứu hồ sơ</h1>
{f'<div class="card">{e(notice)}</div>' if notice else ""}
<div class="card">
<p>Mã hồ sơ: <strong>{e(v.code)}</strong><br>Người nộp: {e(v.masked_name)}<br>
Thủ tục: {e(v.procedure_name)}</p>
<p>Trạng thái: <strong>{e(v.status_vi)}</strong></p>
<p>Ngày tiếp nhận: {e(day_vi(v.received_at))}<br>
{due_label}: <strong>{e(moment_vi(v.due_at))}</strong></p>{late}
</div>{apology}{_ceremony(v)}
<div class="card"><h2>Các bước giải quyết</h2><ol class="steps">{"".join(items)}</ol></div>
{_rating_form(v)}
<p class="muted">Trang này không hiển thị thông tin cá nhân. Không chia sẻ đường dẫn cho
người khác.</p>"""
    return page(f"Hồ sơ {v.code}", body)


_CERTIFICATE_VI = {"birth": "Giấy khai sinh", "marriage": "Giấy chứng nhận kết hôn"}


def _ceremony(v: PublicView) -> str:
    """The hand-over the desk scheduled: when and where (a public place, no names)."""
    c = v.ceremony
    if c is None:
        return ""
    certificate = _CERTIFICATE_VI.get(c.occasion, "giấy chứng nhận")
    return (
        f'<div class="card ceremony"><strong>Lễ trao {e(certificate)}</strong>'
        "<p>Ủy ban nhân dân trân trọng kính mời gia đình đến dự buổi lễ trao "
        f"{e(certificate)}.<br>Thời gian: <strong>{e(moment_vi(c.ceremony_at))}</strong>"
        f"<br>Địa điểm: <strong>{e(c.place_vi)}</strong></p></div>"
    )


def _rating_form(v: PublicView) -> str:
    if v.rated:
        return '<div class="card">Cảm ơn bạn đã đánh giá mức độ hài lòng.</div>'
    if not v.can_rate:
        return ""
    levels = "".join(
        f'<label><input type="radio" name="level" value="{k.value}" required '
        f'style="width:auto"> {e(label)}</label>'
        for k, label in LEVEL_VI.items()
    )
    criteria = "".join(
        f'<label>{e(label)}<select name="c_{key}"><option value="">—</option>'
        '<option value="2">Tốt (2 điểm)</option><option value="1">Đạt (1 điểm)</option>'
        '<option value="0">Chưa đạt (0 điểm)</option></select></label>'
        for key, label in CRITERIA_VI.items()
    )
    return f"""<div class="card"><h2>Đánh giá mức độ hài lòng</h2>
<form method="post" action="/tra-cuu/{e(v.token)}/danh-gia">{levels}
<details><summary>Đánh giá chi tiết (9 tiêu chí, không bắt buộc)</summary>{criteria}</details>
<label>Góp ý (không bắt buộc)<textarea name="comment" maxlength="1000" rows="3"></textarea>
</label><button type="submit">Gửi đánh giá</button></form></div>"""


def search_form(message: str = "") -> str:
    note = f'<div class="card late">{e(message)}</div>' if message else ""
    body = f"""<h1>Tra cứu hồ sơ</h1>{note}
<div class="card"><form method="get" action="/tra-cuu">
<label>Mã hồ sơ<input name="ma" required maxlength="80" placeholder="000.21.31.H50-260213-0001">
</label><label>4 số cuối điện thoại đã đăng ký<input name="sdt4" required inputmode="numeric"
pattern="[0-9]{{4}}" maxlength="4"></label><button type="submit">Tra cứu</button></form></div>"""
    return page("Tra cứu hồ sơ", body)


def message(title: str, text: str) -> str:
    return page(
        title,
        f'<h1>{e(title)}</h1><div class="card">{e(text)}</div>'
        '<p><a href="/tra-cuu">Tra cứu hồ sơ khác</a></p>',
    )


def too_many_requests(wait: str) -> str:
    """429 for the citizen: a page, with the same wait as the Retry-After header."""
    return page(
        "Tra cứu quá nhiều lần",
        "<h1>Bạn tra cứu quá nhiều lần</h1>"
        f'<div class="card">Để bảo vệ thông tin hồ sơ, mỗi máy chỉ được tra cứu một số lần '
        f"trong một khoảng thời gian. Vui lòng thử lại sau <strong>{e(wait)}</strong>.</div>"
        '<p><a href="/tra-cuu">Quay lại trang tra cứu</a></p>',
    )


def code_locked(wait: str) -> str:
    """429 when a code's look-up is locked after wrong phone digits (whoever asks)."""
    return page(
        "Mã hồ sơ tạm khóa tra cứu",
        "<h1>Mã hồ sơ tạm thời bị khóa tra cứu</h1>"
        '<div class="card">Số điện thoại của mã hồ sơ này đã bị nhập sai nhiều lần, nên việc '
        "tra cứu bằng mã hồ sơ tạm khóa để bảo vệ thông tin của người nộp. Vui lòng thử lại sau "
        f"<strong>{e(wait)}</strong>. Bạn vẫn có thể xem hồ sơ ngay bằng cách quét mã QR trên "
        "giấy hẹn.</div>"
        '<p><a href="/tra-cuu">Quay lại trang tra cứu</a></p>',
    )
