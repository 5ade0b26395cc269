"""`seed-demo` restores the whole demo state: what the demo accounts did since is undone, so
the paid walkthrough can be repeated without deleting anything by hand."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.models import User
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.demo.seed import seed_demo
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.enrollment.models import Enrollment, PaymentEvent, PaymentTransaction
from tests.support.clock import MovableClock
from tests.support.users import enroll

TUNDE, ADA = "tunde@demo.edxelera.test", "ada@demo.edxelera.test"


async def _count(session: AsyncSession, model: type, email: str) -> int:
    column = model.author_user_id if model is DiscussionPost else model.user_id  # type: ignore[attr-defined]
    return (
        await session.scalar(
            select(func.count())
            .select_from(model)
            .join(User, User.id == column)
            .where(User.email == email)
        )
        or 0
    )


async def test_a_second_seed_undoes_what_the_demo_accounts_did(
    sessionmaker: async_sessionmaker[AsyncSession], clock: MovableClock
) -> None:
    now = clock.now()
    await seed_demo(sessionmaker, now=now)
    async with sessionmaker() as session:
        tunde = await session.scalar(select(User.id).where(User.email == TUNDE))
        ada = await session.scalar(select(User.id).where(User.email == ADA))
        paid = await session.scalar(select(Cohort.id).where(Cohort.slug == "demo-data-analytics"))
        free = await session.scalar(
            select(Cohort.id).where(Cohort.slug == "demo-python-foundations")
        )
        ada_certificates = await _count(session, Certificate, ADA)
    assert None not in (tunde, ada, paid, free)
    # Tunde paid for the analytics program; Ada posted in her program's first week.
    await enroll(sessionmaker, user_id=tunde, cohort_id=paid, source="paystack")
    async with sessionmaker() as session, session.begin():
        session.add(
            PaymentTransaction(
                user_id=tunde, cohort_id=paid, reference="demo-ref-1", amount_minor=15_000_000,
                currency="NGN", status="success",
            )
        )  # fmt: skip
        session.add(
            PaymentEvent(event="charge.success", dedupe_key="k1", reference="demo-ref-1",
                         payload="{}", received_at_utc=now, outcome="applied")
        )  # fmt: skip
        thread = DiscussionThread(
            cohort_id=free, week_number=1, title="Week 1", created_by_user_id=ada
        )
        session.add(thread)
        await session.flush()
        top = DiscussionPost(thread_id=thread.id, author_user_id=ada, body="Hello")
        session.add(top)
        await session.flush()
        session.add(DiscussionPost(thread_id=thread.id, author_user_id=tunde, body="Hi",
                                   parent_post_id=top.id))  # fmt: skip

    await seed_demo(sessionmaker, now=now)

    async with sessionmaker() as session:
        assert await _count(session, Enrollment, TUNDE) == 0
        assert await _count(session, PaymentTransaction, TUNDE) == 0
        assert await session.scalar(select(func.count()).select_from(PaymentEvent)) == 0
        assert await _count(session, DiscussionPost, ADA) == 0
        assert await _count(session, DiscussionPost, TUNDE) == 0
        # Ada's demo history is laid down again, the same as after the first seed.
        assert await _count(session, Enrollment, ADA) == 2
        assert await _count(session, Certificate, ADA) == ada_certificates == 2
