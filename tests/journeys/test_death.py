"""A death registered at the desk: the family gets one condolence letter, never two."""

from __future__ import annotations

from tests.journeys.desk import Desk, wait_for

DEATH = "1.000656"  # Đăng ký khai tử


def test_a_death_brings_one_condolence_letter_addressed_to_the_family(desk: Desk) -> None:
    family = "Quàng Thị Hoa"
    dossier = desk.register(DEATH, full_name=family)
    desk.to_result(dossier["dossier_id"])

    job = desk.wait_letter(dossier["dossier_id"], "condolence_letter")
    assert job["recipient"] == "family", job
    assert job["status"] != "printed" and job["printed_at"] is None
    checked = desk.check_letter(
        job, "condolence", [f"Kính gửi: Ông/Bà {family} và gia quyến", "THƯ CHIA BUỒN"]
    )
    assert checked.pages >= 1

    first = desk.mark_printed(job["delivery_id"])
    assert first.status_code == 200, first.text
    assert first.json()["printed_at"] is not None
    # The clerk clicks "printed" again: the same letter, still once (or refused), never a new one.
    again = desk.mark_printed(job["delivery_id"])
    assert again.status_code in (200, 409), again.text
    if again.status_code == 200:
        assert again.json()["printed_at"] == first.json()["printed_at"]
    else:
        assert again.json()["code"] and again.json()["message"]
    letters = desk.letters(dossier["dossier_id"], "condolence_letter")
    assert [j["delivery_id"] for j in letters] == [job["delivery_id"]]
    assert not [j for j in desk.print_queue() if j["delivery_id"] == job["delivery_id"]]
    printed = wait_for(
        "the letter listed as printed",
        lambda: [
            j for j in desk.print_queue(printed=True) if j["delivery_id"] == job["delivery_id"]
        ],
    )
    assert len(printed) == 1
