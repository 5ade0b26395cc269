"""Certificate numbers: format, alphabet, and enough randomness."""

from __future__ import annotations

import pytest

from edxelera_gql.certificates import numbers


def test_numbers_look_like_the_example_and_use_crockford_base32() -> None:
    number = numbers.new_certificate_number()
    assert numbers.is_well_formed(number), number
    prefix, *groups = number.split("-")
    assert prefix == "EDX"
    assert [len(g) for g in groups] == [4, 4, 4]
    assert not set("".join(groups)) & set("ILOU")  # never confusable letters


def test_sixty_bits_of_randomness() -> None:
    assert numbers.RANDOM_BITS >= 60
    # Every value encodes to a distinct number, and the full range fits the format.
    assert numbers.encode(0) == "EDX-0000-0000-0000"
    assert numbers.encode(2**60 - 1) == "EDX-ZZZZ-ZZZZ-ZZZZ"
    assert numbers.encode(32) == "EDX-0000-0000-0010"
    with pytest.raises(ValueError):
        numbers.encode(2**60)
    with pytest.raises(ValueError):
        numbers.encode(-1)


def test_numbers_do_not_repeat() -> None:
    drawn = {numbers.new_certificate_number() for _ in range(5000)}
    assert len(drawn) == 5000
    # Every character position varies: the randomness is spread over the whole number.
    for position in range(4, len("EDX-0000-0000-0000")):
        if position in (8, 13):
            continue
        assert len({n[position] for n in drawn}) > 16


@pytest.mark.parametrize(
    "text",
    ["EDX-7K2M-9QX4-T8RD", "EDX-0000-0000-0000"],
)
def test_well_formed(text: str) -> None:
    assert numbers.is_well_formed(text)


@pytest.mark.parametrize(
    "text",
    ["edx-7k2m-9qx4-t8rd", "EDX-7K2M-9QX4-T8R", "EDX-7K2M-9QX4-T8RI", "ABC-7K2M-9QX4-T8RD", ""],
)
def test_not_well_formed(text: str) -> None:
    assert not numbers.is_well_formed(text)


def test_verification_url() -> None:
    assert (
        numbers.verification_url("https://api.example.com/", "EDX-7K2M-9QX4-T8RD")
        == "https://api.example.com/certificates/verify/EDX-7K2M-9QX4-T8RD"
    )
