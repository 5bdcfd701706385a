"""Form 01 "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" as a printable A4 page."""

from __future__ import annotations

from html import escape as e

from motcua_platform.letterhead import MOTTO, NATIONAL_NAME, place_and_date, place_of

from intake.adapters.qr import svg
from intake.application.receipt import Receipt
from intake.domain.desk_names import desk_name
from intake.domain.time import VN
from intake.entrypoints.views.common import moment_vi, page

_A4 = """
@page{size:A4;margin:15mm}@media print{body{background:#fff}.card{box-shadow:none}}
main{max-width:210mm}table{width:100%;border-collapse:collapse}td,th{border:1px solid #999;
padding:.3rem;text-align:left}.head{display:flex;justify-content:space-between;gap:1rem}
.head>div{text-align:center;flex:0 0 42%}.head>div+div{flex:0 0 56%}
.rule{width:33%;margin:.15rem auto .4rem;border-top:1px solid #000}
.rule.long{width:62%}.dated{font-style:italic}
.sign{display:flex;justify-content:space-around;margin-top:2rem;text-align:center}
"""


def render(r: Receipt) -> str:
    rows = "".join(
        f"<tr><td>{i}</td><td>{e(x.name)}</td><td>{e(x.form_vi)}</td><td>{x.copies}</td></tr>"
        for i, x in enumerate(r.lines, 1)
    )
    dated = place_and_date(place_of(r.agency_name), r.received_at.astimezone(VN).date())
    body = f"""
<div class="card">
<div class="head"><div>UBND {e(r.agency_name.upper())}<br>
<strong>{e(desk_name(r.received_at))}</strong><div class="rule"></div></div>
<div><strong>{NATIONAL_NAME}</strong><br><strong>{MOTTO}</strong><div class="rule long"></div>
<span class="dated">{e(dated)}</span></div></div>
<h1 style="text-align:center">GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
<p style="text-align:center">Mã hồ sơ: <strong>{e(r.code)}</strong></p>
<p>Bộ phận tiếp nhận và trả kết quả: {e(r.agency_name)}<br>
Tiếp nhận hồ sơ của: <strong>{e(r.applicant_name)}</strong><br>
Địa chỉ: {e(r.applicant_address)}<br>
Số điện thoại: {e(r.applicant_phone)} &nbsp; Thư điện tử: {e(r.applicant_email)}<br>
Nội dung yêu cầu giải quyết: {e(r.procedure_name)}</p>
<p>1. Thành phần hồ sơ nộp gồm:</p>
<table><tr><th>TT</th><th>Tên giấy tờ</th><th>Hình thức</th><th>Số lượng</th></tr>{rows}</table>
<p>2. Số lượng hồ sơ: 01 bộ<br>
3. Thời gian giải quyết hồ sơ theo quy định: {e(r.time_limit_vi)}<br>
4. Thời gian nhận hồ sơ: {moment_vi(r.received_at)}<br>
5. Thời gian trả kết quả giải quyết hồ sơ: <strong>{moment_vi(r.due_at)}</strong><br>
{_apology_line(r)}6. Hình thức nộp: {e(r.channel_vi)}; nhận kết quả tại Bộ phận một cửa.</p>
<div class="head"><div>{svg(r.public_url, size_px=130)}</div>
<div class="muted">Quét mã QR hoặc truy cập<br>{e(r.public_url)}<br>để theo dõi tiến độ
giải quyết hồ sơ.</div></div>
<div class="sign"><div><strong>NGƯỜI NỘP HỒ SƠ</strong><br>(Ký và ghi rõ họ tên)</div>
<div><strong>NGƯỜI TIẾP NHẬN HỒ SƠ</strong><br>(Ký và ghi rõ họ tên)</div></div>
</div>"""
    return page(f"Giấy tiếp nhận hồ sơ {r.code}", body, extra_css=_A4)


def _apology_line(r: Receipt) -> str:
    """On a reprint after the apology (Form 04): the new date the citizen was promised."""
    if r.apology_new_due_at is None:
        return ""
    return (
        "Ngày hẹn trả mới (theo phiếu xin lỗi và hẹn lại ngày trả kết quả): "
        f"<strong>{moment_vi(r.apology_new_due_at)}</strong><br>"
    )
