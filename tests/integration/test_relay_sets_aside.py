"""An outbox row the broker will never take does not block the rows behind it."""
from tests.helpers.kafka import read_topic
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.waiting import eventually

INSERT = "INSERT INTO outbox (event_id, topic, message_key, payload) VALUES ($1, $2, $3, $4)"


async def test_a_row_too_large_for_the_broker_is_set_aside_and_the_next_row_is_published(stack):
    async with OverdueUnderTest.running(stack) as overdue:
        topic = overdue.settings.delinquency_events_topic
        await overdue.execute(INSERT, "too-large", topic, "L1", b"x" * 2_000_000)
        await overdue.execute(INSERT, "behind-it", topic, "L1", b'{"small": true}')
        published = await eventually(lambda: read_topic(stack.bootstrap, topic), what="the row behind published")
        assert [r.value for r in published] == [b'{"small": true}']
        [row] = await eventually(lambda: overdue.query(
            "SELECT failed_at, failure, sent_at FROM outbox WHERE event_id = 'too-large' AND failed_at IS NOT NULL"),
            what="the large row set aside")  # in the transaction that marks the small one sent
        assert row["sent_at"] is None
        assert row["failure"] == "MessageSizeTooLargeError"
        assert await overdue.metric("collections_outbox_set_aside_total", topic=topic) >= 1
