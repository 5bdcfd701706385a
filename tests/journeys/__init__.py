"""The journey suite: each story as a clerk, leader, citizen or monitor meets the platform,
in both modes (`platform` fixture: standalone subprocess, and the four services on the real
Kafka/PostgreSQL; each starts once per session).

To add a story: a `test_*.py` here taking `desk` (tests/journeys/desk.py: register, step,
to_result, print_queue, wait_letter, letter_pdf, mark_printed, public_path) and, for pages,
`browser` (tests/journeys/browser.py: page, screenshot). PDFs go through check_pdf
(tests/journeys/pdf_local.py, to be swapped for tests/support/pdf_check.py). Waits are
conditions with generous timeouts (desk.wait_for), never speed assertions.
"""
