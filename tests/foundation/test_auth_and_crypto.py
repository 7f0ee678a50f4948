"""Guarantee 9 (one place checks tokens and scope) and the crypto-shredding of guarantee 8."""

import jwt
import pytest
from shegong_runtime import auth
from shegong_runtime.crypto import REDACTED, KeyStore, SubjectErased, is_sealed
from shegong_runtime.errors import Forbidden
from shegong_runtime.settings import Settings

SETTINGS = Settings()
DISTRICTS = {"xigu-fulilu": "xigu", "chengguan-caochangjie": "chengguan"}.get


def test_a_token_carries_role_and_scope():
    who = auth.verify(SETTINGS, auth.issue(SETTINGS, "w1", "social_worker", ["xigu-fulilu"]))
    assert (who.subject, who.role) == ("w1", auth.Role.social_worker)
    assert who.stations == frozenset({"xigu-fulilu"})
    who.require_station("xigu-fulilu", DISTRICTS)
    with pytest.raises(Forbidden, match="chengguan-caochangjie"):
        who.require_station("chengguan-caochangjie", DISTRICTS)


def test_district_officer_sees_the_stations_of_the_district_only():
    who = auth.verify(
        SETTINGS, auth.issue(SETTINGS, "d1", "district_officer", district="chengguan")
    )
    assert who.can_see("chengguan-caochangjie", DISTRICTS)
    assert not who.can_see("xigu-fulilu", DISTRICTS)
    city = auth.verify(SETTINGS, auth.issue(SETTINGS, "c1", "city_admin"))
    assert city.can_see("xigu-fulilu", DISTRICTS)


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode(
            {"sub": "x", "role": "city_admin", "exp": 1, "iss": "shegong"},
            SETTINGS.jwt_secret,
            "HS256",
        ),
        jwt.encode(
            {"sub": "x", "role": "city_admin", "exp": 9999999999, "iss": "shegong"},
            "another-secret-of-enough-length-32b",
            "HS256",
        ),
        jwt.encode(
            {"sub": "x", "role": "mayor", "exp": 9999999999, "iss": "shegong"},
            SETTINGS.jwt_secret,
            "HS256",
        ),
        "not-a-jwt",
    ],
    ids=["expired", "forged", "unknown-role", "garbage"],
)
def test_expired_forged_or_malformed_tokens_are_refused(token):
    with pytest.raises(auth.Unauthenticated):
        auth.verify(SETTINGS, token)


def test_a_role_outside_the_allowed_ones_is_forbidden():
    who = auth.verify(SETTINGS, auth.issue(SETTINGS, "i1", "integrator"))
    with pytest.raises(Forbidden, match="integrator"):
        who.require_role([auth.Role.social_worker, auth.Role.station_lead])


async def test_sealed_data_opens_until_the_subject_is_erased(pool, unique):
    keys = KeyStore(pool, unique("keys"), SETTINGS.master_key)
    await keys.migrate()
    subject = unique("household")
    sealed = await keys.seal(subject, "张三 13900001111")
    assert is_sealed(sealed) and "张三" not in sealed and "13900001111" not in sealed
    assert await keys.open(subject, sealed) == "张三 13900001111"
    await keys.erase(subject)
    assert await keys.open(subject, sealed) is None
    assert await keys.open_or_redacted(subject, sealed) == REDACTED
    with pytest.raises(SubjectErased):
        await keys.seal(subject, "again")


async def test_a_page_reads_its_subjects_keys_once_and_an_erasure_counts_from_the_next_answer(
    pool, unique
):
    keys = KeyStore(pool, unique("keys"), SETTINGS.master_key)
    await keys.migrate()
    a, b, gone = unique("household"), unique("household"), unique("household")
    sealed = {s: await keys.seal(s, f"户主 {s}") for s in (a, b, gone)}
    await keys.erase(gone)
    table = f"{keys.schema}.subject_keys"
    async with keys.holding([a, b, gone, a]):  # the page's keys, read together
        await keys.erase(b)  # erased on another replica meanwhile: this answer read first
        await pool.execute(f"ALTER TABLE {table} RENAME TO subject_keys_away")
        try:  # nothing more is read from the store while the page opens its fields
            assert await keys.open(a, sealed[a]) == f"户主 {a}"
            assert await keys.open(b, sealed[b]) == f"户主 {b}"
            assert await keys.open(gone, sealed[gone]) is None  # no key: no plaintext
        finally:
            await pool.execute(
                f"ALTER TABLE {keys.schema}.subject_keys_away RENAME TO subject_keys"
            )
    assert await keys.open(b, sealed[b]) is None  # the next answer sees the erasure
    assert await keys.open(a, sealed[a]) == f"户主 {a}"


async def test_a_sealed_value_cannot_be_moved_to_another_subject(pool, unique):
    keys = KeyStore(pool, unique("keys"), SETTINGS.master_key)
    await keys.migrate()
    a, b = unique("household"), unique("household")
    sealed_for_a = await keys.seal(a, "李四")
    await keys.seal(b, "王五")
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        await keys.open(b, sealed_for_a)


def test_tokens_signed_with_a_secret_being_rotated_out_are_still_accepted():
    old = Settings(jwt_secret="the-old-secret-that-is-long-enough-for-hs256")
    token = auth.issue(old, "w1", "social_worker", ["xigu-fulilu"])
    rotated = Settings(
        jwt_secret="the-new-secret-that-is-long-enough-for-hs256",
        jwt_previous_secrets=old.jwt_secret,
    )
    assert auth.verify(rotated, token).subject == "w1"
    with pytest.raises(auth.Unauthenticated):
        auth.verify(Settings(jwt_secret="the-new-secret-that-is-long-enough-for-hs256"), token)


async def test_a_service_refuses_to_start_on_development_secrets_when_told_to(
    database_url, nats_url
):
    from shegong_runtime.service import Service
    from shegong_runtime.settings import default_secrets

    assert default_secrets(Settings()) == ["jwt_secret", "master_key", "fingerprint_secret"]
    strict = Settings(database_url=database_url, nats_url=nats_url, require_secrets=True)
    app = Service(name="strict", title="strict", domain=None).app(strict)
    with pytest.raises(
        RuntimeError, match="SHEGONG_JWT_SECRET, SHEGONG_MASTER_KEY, SHEGONG_FINGERPRINT_SECRET"
    ):
        async with app.router.lifespan_context(app):
            pass
