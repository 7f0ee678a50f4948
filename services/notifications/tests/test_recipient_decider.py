"""The recipient decider: registered once, changed while listed, erased even after removal."""

from datetime import UTC, datetime

from shegong_events.notifications import (
    RecipientErased,
    RecipientRegistered,
    RecipientRemoved,
    RecipientUpdated,
    SubscriptionSet,
)
from shegong_notifications.domain.recipient import (
    RECIPIENT,
    Addresses,
    ChannelHasNoAddress,
    EraseRecipient,
    RecipientAlreadyRegistered,
    RecipientNotFound,
    RegisterRecipient,
    RemoveRecipient,
    ScopeDoesNotFitRole,
    SetSubscription,
    UpdateRecipient,
)
from shegong_testing.decider import scenario

given = scenario(RECIPIENT, aggregate_id="lead-qbs", station_id="chengguan-qingbaishi")
EMAIL = Addresses(email_sealed="sealed:v1:email")
REGISTERED = RecipientRegistered(
    recipient_id="lead-qbs",
    role="station_lead",
    station_id="chengguan-qingbaishi",
    district_id="chengguan",
)
ERASED_AT = datetime(2024, 4, 15, 4, 0, tzinfo=UTC)


def register(**over) -> RegisterRecipient:
    fields = {
        "recipient_id": "lead-qbs",
        "role": "station_lead",
        "station_id": "chengguan-qingbaishi",
        "district_id": "chengguan",
    }
    return RegisterRecipient(**{**fields, **over})


def test_a_recipient_is_registered_with_their_sealed_addresses():
    state = (
        given()
        .when(register(addresses=EMAIL, refs=("sw-qbs-01",)))
        .then(
            REGISTERED.model_copy(update={"email_sealed": "sealed:v1:email", "refs": ["sw-qbs-01"]})
        )
    )
    assert state.registered and state.has_email and not state.has_webhook


def test_a_recipient_id_is_registered_once():
    given(REGISTERED).when(register()).raises(RecipientAlreadyRegistered)


def test_district_officers_belong_to_a_district_and_everyone_else_to_a_station():
    given().when(register(role="district_officer")).raises(ScopeDoesNotFitRole)
    given().when(register(station_id=None)).raises(ScopeDoesNotFitRole)


def test_an_update_changes_only_what_it_names():
    given(REGISTERED).when(UpdateRecipient("lead-qbs", EMAIL)).then(
        RecipientUpdated(email_sealed="sealed:v1:email")
    )


def test_a_removed_recipient_is_changed_no_more():
    given(REGISTERED).when(RemoveRecipient("lead-qbs")).then(RecipientRemoved())
    for command in (
        RemoveRecipient("lead-qbs"),
        UpdateRecipient("lead-qbs"),
        SetSubscription("lead-qbs", "urgent-need", "inbox"),
    ):
        given(REGISTERED, RecipientRemoved()).when(command).raises(RecipientNotFound)
    given().when(UpdateRecipient("lead-qbs")).raises(RecipientNotFound)


def test_a_removed_recipient_can_still_be_erased_but_no_one_unknown():
    erase = EraseRecipient("lead-qbs", reason="subject_request", erased_at=ERASED_AT)
    expected = RecipientErased(reason="subject_request", erased_at=ERASED_AT)
    given(REGISTERED, RecipientRemoved()).when(erase).then(expected)
    given().when(erase).raises(RecipientNotFound)


def test_a_channel_is_chosen_only_where_the_recipient_has_an_address():
    given(REGISTERED).when(SetSubscription("lead-qbs", "urgent-need", "email")).raises(
        ChannelHasNoAddress
    )
    given(REGISTERED).when(SetSubscription("lead-qbs", "urgent-need", "webhook")).raises(
        ChannelHasNoAddress
    )
    with_email = REGISTERED.model_copy(update={"email_sealed": "sealed:v1:email"})
    given(with_email).when(SetSubscription("lead-qbs", "urgent-need", "email")).then(
        SubscriptionSet(topic="urgent-need", channel="email")
    )
    given(REGISTERED, RecipientUpdated(webhook_url="https://example.org/hook")).when(
        SetSubscription("lead-qbs", "urgent-need", "webhook")
    ).then(SubscriptionSet(topic="urgent-need", channel="webhook"))
    given(REGISTERED).when(SetSubscription("lead-qbs", "urgent-need", "none")).then(
        SubscriptionSet(topic="urgent-need", channel="none")
    )
