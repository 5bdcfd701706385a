"""The name the desk signs its forms with: the one in force when the dossier was received."""

from __future__ import annotations

from datetime import datetime

from intake.domain.time import VN

# Since the 2025 reform (Decree 118/2025, from 1 July 2025) the commune desk is the
# "Trung tâm Phục vụ hành chính công cấp xã"; before, the one-stop-shop section
# (docs/domain.md §3.1).
REFORM_2025 = datetime(2025, 7, 1, tzinfo=VN)


def desk_name(received_at: datetime) -> str:
    if received_at >= REFORM_2025:
        return "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    return "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
