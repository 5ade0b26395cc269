"""notificationPreferences and updateNotificationPreferences over HTTP."""

from __future__ import annotations

from tests.support.users import create_account

PREFERENCES = "{ notificationPreferences { kind enabled canOptOut } }"
UPDATE = """mutation($p: [NotificationPreferenceInput!]!) {
  updateNotificationPreferences(input: {preferences: $p}) {
    preferences { kind enabled canOptOut } errors { code field message } } }"""


def _settings(answer: list[dict]) -> dict[str, bool]:
    return {p["kind"]: p["enabled"] for p in answer}


async def test_every_kind_is_on_until_turned_off_and_back_on(app, gql, sessionmaker) -> None:
    account = await create_account(app, sessionmaker)
    listed = (await gql(PREFERENCES, **account.headers))["data"]["notificationPreferences"]
    assert _settings(listed) == {
        "ENROLLMENT_CONFIRMED": True, "WEEK_RELEASED": True, "ASSIGNMENT_DUE": True,
        "CERTIFICATE_ISSUED": True,
    }  # fmt: skip
    assert [p["kind"] for p in listed if not p["canOptOut"]] == ["ENROLLMENT_CONFIRMED"]

    changes = [
        {"kind": "WEEK_RELEASED", "enabled": False},
        {"kind": "ASSIGNMENT_DUE", "enabled": False},
        {"kind": "ASSIGNMENT_DUE", "enabled": True},  # the last word wins
    ]
    payload = (await gql(UPDATE, {"p": changes}, **account.headers))["data"][
        "updateNotificationPreferences"
    ]
    assert payload["errors"] == []
    assert _settings(payload["preferences"])["WEEK_RELEASED"] is False
    assert _settings(payload["preferences"])["ASSIGNMENT_DUE"] is True
    listed = (await gql(PREFERENCES, **account.headers))["data"]["notificationPreferences"]
    assert _settings(listed) == _settings(payload["preferences"])

    back_on = [{"kind": "WEEK_RELEASED", "enabled": True}]
    payload = (await gql(UPDATE, {"p": back_on}, **account.headers))["data"][
        "updateNotificationPreferences"
    ]
    assert all(_settings(payload["preferences"]).values())


async def test_receipts_cannot_be_turned_off_and_nothing_changes(app, gql, sessionmaker) -> None:
    account = await create_account(app, sessionmaker)
    changes = [
        {"kind": "WEEK_RELEASED", "enabled": False},
        {"kind": "ENROLLMENT_CONFIRMED", "enabled": False},
    ]
    payload = (await gql(UPDATE, {"p": changes}, **account.headers))["data"][
        "updateNotificationPreferences"
    ]
    assert payload["preferences"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "preferences")
    listed = (await gql(PREFERENCES, **account.headers))["data"]["notificationPreferences"]
    assert all(_settings(listed).values())


async def test_the_preferences_are_the_viewers_own(app, gql, sessionmaker) -> None:
    ada = await create_account(app, sessionmaker)
    bola = await create_account(app, sessionmaker)
    await gql(UPDATE, {"p": [{"kind": "CERTIFICATE_ISSUED", "enabled": False}]}, **ada.headers)
    listed = (await gql(PREFERENCES, **bola.headers))["data"]["notificationPreferences"]
    assert all(_settings(listed).values())
    anonymous = await gql(PREFERENCES)
    assert anonymous["data"]["notificationPreferences"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
