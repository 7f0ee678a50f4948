"""A restore older than a person's key loses that key (keys never travel on the bus): what was
sealed under it reads as redacted, and a key made afresh for them later does not turn the old
values into an error."""

import uuid

from shegong_runtime.crypto import REDACTED, KeyStore
from shegong_runtime.settings import Settings


async def test_values_sealed_under_a_lost_key_read_as_redacted_after_a_new_key(pool):
    keys = KeyStore(pool, "recovery_keys", Settings().master_key)
    await keys.migrate()
    subject = f"household:hh-{uuid.uuid4().hex[:8]}"
    old = await keys.seal(subject, "丢失密钥的户主")
    # the dump predates the key: after the restore the key store has none for this person
    await pool.execute("DELETE FROM recovery_keys.subject_keys WHERE subject_id = $1", subject)
    fresh = await keys.seal(subject, "新登记的电话")  # a later command seals under a new key
    assert await keys.open(subject, fresh) == "新登记的电话"
    assert await keys.open_or_redacted(subject, old) == REDACTED
