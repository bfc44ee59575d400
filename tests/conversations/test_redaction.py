"""Sensitive numbers are masked before a borrower's text is stored or shown to an LLM."""

import pytest

from conversations.redaction import redact


def full_width(text: str) -> str:
    """Digits and dashes as some phone keyboards type them (U+FF10..)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my ssn is 123-45-6789", "my ssn is [REDACTED SSN]"),
        ("social 123 45 6789 ok", "social [REDACTED SSN] ok"),
        ("123456789", "[REDACTED SSN]"),
        ("card 4111 1111 1111 1111", "card [REDACTED NUMBER]"),
        ("acct # 44567781", "acct # [REDACTED NUMBER]"),
        ("routing number: 021000021", "routing number: [REDACTED SSN]"),
        ("mi cuenta es 9988 7766", "mi cuenta es [REDACTED NUMBER]"),
        ("dob 04/12/1985", "dob [REDACTED DATE]"),
        ("I was born on 1985-04-12", "I was born on [REDACTED DATE]"),
        ("fecha de nacimiento: 12/4/85", "fecha de nacimiento: [REDACTED DATE]"),
        ("ssn 123\u201345\u20136789", "ssn [REDACTED SSN]"),  # en dashes, as phones autocorrect
        ("ssn 123\u201445\u20146789", "ssn [REDACTED SSN]"),  # em dashes
        ("its 123 - 45 - 6789", "its [REDACTED SSN]"),
        ("123/45/6789", "[REDACTED SSN]"),
        ("123_45_6789 thx", "[REDACTED SSN] thx"),
        ("ss# 123.45.6789", "ss# [REDACTED SSN]"),
        ("ssn " + full_width("123-45-6789"), "ssn [REDACTED SSN]"),
        ("my loan # is 4455667", "my loan # is [REDACTED NUMBER]"),
        ("loan#88776655", "loan#[REDACTED NUMBER]"),
        ("Loan No. 20231234", "Loan No. [REDACTED NUMBER]"),
        ("loan id HL-4456789 thx", "loan id [REDACTED NUMBER] thx"),
        ("account ending in 4456", "account ending in [REDACTED NUMBER]"),
        ("acct no. 12345", "acct no. [REDACTED NUMBER]"),
        ("mi número de préstamo es 556677", "mi número de préstamo es [REDACTED NUMBER]"),
    ],
)
def test_it_masks_sensitive_numbers(text, expected):
    assert redact(text) == (expected, True)


@pytest.mark.parametrize(
    "text",
    [
        "call me at 512-555-0100",
        "credit is 720, house about $350,000",
        "buying in 2-3 months, zip 78701",
        "closing 04/30/2026",
        "loan amount 450000",
        "my loan is about 300000 and my account is fine",
        "zip 78701-1234",
        "the house is at 78701 - 1234",
        "zip 78701 1234",
        "call 512 555 0100 or 512.555.0101",
        "my cell is (512) 555-0102, work +1 512-555-0103",
        "text 512\u2013555\u20130104",
    ],
)
def test_it_leaves_ordinary_numbers_alone(text):
    assert redact(text) == (text, False)
