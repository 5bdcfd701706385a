"""The journey suite: each story as a clerk, leader, citizen or monitor meets the platform,
in both modes (`platform` fixture: standalone subprocess, and the four services on the real
Kafka/PostgreSQL; each starts once per session).

To add a story: a `test_*.py` here taking `desk` (tests/journeys/desk.py: register, step,
to_result, print_queue, wait_letter, letter_pdf, mark_printed, public_path) and, for pages,
`browser` (tests/journeys/browser.py: page, screenshot). Every PDF goes through
tests/support/pdf_check.py (desk.check_letter adds the Decree 30 letterhead). Waits are
conditions with generous timeouts (desk.wait_for), never speed assertions.
"""
