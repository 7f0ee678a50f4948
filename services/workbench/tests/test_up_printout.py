"""What `shegong up` prints for people: sign-in addresses of the workbench, never a token."""

from __future__ import annotations

from shegong_runtime.cli.running import sign_in_lines

URLS = {"workbench": "http://127.0.0.1:8106", "stations": "http://127.0.0.1:8105"}


def test_up_prints_the_sign_in_addresses_and_no_token():
    lines = sign_in_lines(URLS, demo=True)
    text = "\n".join(lines)
    assert "dashboard   http://127.0.0.1:8106/signin?next=/dashboard" in lines
    assert (
        "http://127.0.0.1:8106/signin?next=/dashboard/roundup%3Fstart%3D2024-03-16%26end%3D2024-03-22"
        in text
    )
    assert "token=" not in text and "eyJ" not in text
    assert "8105" not in text  # the stations service itself is not where people go


def test_without_the_workbench_no_board_address_is_printed():
    assert [
        line
        for line in sign_in_lines({"stations": URLS["stations"]}, demo=True)
        if "dashboard" in line
    ] == []
