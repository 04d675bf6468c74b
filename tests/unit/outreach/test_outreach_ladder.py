"""A case climbs its ladder: on success after the next step's wait, on failure after its tries run out."""
from services.outreach.domain.ladder import (
    AttemptsExhausted,
    CaseState,
    PromiseBroken,
    StepDone,
    VisitUnconfirmed,
    next_step,
    start,
)
from services.outreach.domain.strategy import Ladder, Step

LADDER = Ladder(name="early", steps=(
    Step(action="sms_reminder"),
    Step(action="sms_reminder", wait_days=3),
    Step(action="call", wait_days=2, max_attempts=3),
    Step(action="visit", wait_days=5, max_attempts=2),
    Step(action="legal_referral", wait_days=30),
))


def walk(*events, ladder=LADDER):
    step = start(ladder)
    for event in events:
        step = next_step(step.state, event)
    return step


def test_a_case_starts_on_the_first_step_after_its_wait():
    step = start(LADDER)

    assert (step.action, step.wait_days, step.state.index, step.state.attempts) == ("sms_reminder", 0, 0, 0)


def test_a_step_that_reached_the_borrower_leads_to_the_next_after_its_wait():
    step = walk(StepDone(contacted=True))

    assert (step.action, step.wait_days, step.state.index) == ("sms_reminder", 3, 1)


def test_a_call_without_contact_is_tried_again_at_once_until_its_attempts_run_out():
    at_call = walk(StepDone(True), StepDone(True))
    tried_twice = walk(StepDone(True), StepDone(True), StepDone(False), StepDone(False))
    tried_thrice = walk(StepDone(True), StepDone(True), StepDone(False), StepDone(False), StepDone(False))

    assert (at_call.action, at_call.wait_days) == ("call", 2)
    assert (tried_twice.action, tried_twice.wait_days, tried_twice.state.attempts) == ("call", 0, 2)
    assert (tried_thrice.action, tried_thrice.wait_days, tried_thrice.state.attempts) == ("visit", 5, 0)


def test_exhausted_attempts_move_on_at_once():
    step = walk(StepDone(True), StepDone(True), StepDone(False), AttemptsExhausted())

    assert (step.action, step.state.index, step.state.attempts) == ("visit", 3, 0)


def test_a_visit_unconfirmed_after_its_tries_gives_way_to_the_next_step():
    at_visit = (StepDone(True), StepDone(True), AttemptsExhausted())

    assert walk(*at_visit, VisitUnconfirmed()).action == "visit"
    assert walk(*at_visit, VisitUnconfirmed(), VisitUnconfirmed()).action == "legal_referral"


def test_a_visit_confirmation_miss_means_nothing_away_from_a_visit_step():
    step = walk(StepDone(True), StepDone(True), VisitUnconfirmed())

    assert (step.action, step.state.attempts) == ("call", 0)


def test_a_broken_promise_skips_to_the_next_stronger_action():
    from_first_sms = walk(PromiseBroken())
    from_call = walk(StepDone(True), StepDone(True), StepDone(False), PromiseBroken())

    assert (from_first_sms.action, from_first_sms.state.index, from_first_sms.wait_days) == ("call", 2, 2)
    assert (from_call.action, from_call.state.index, from_call.state.attempts) == ("visit", 3, 0)


def test_a_broken_promise_with_nothing_stronger_left_finishes_the_ladder():
    calls_only = Ladder(name="small", steps=(Step(action="call", max_attempts=3), Step(action="call")))

    assert walk(PromiseBroken(), ladder=calls_only).finished


def test_after_the_last_step_the_ladder_is_finished_and_stays_so():
    done = walk(*[AttemptsExhausted()] * 5)

    assert done.finished and done.action is None
    assert next_step(done.state, StepDone(True)) == done
    assert next_step(done.state, PromiseBroken()).finished


def test_the_state_can_be_rebuilt_from_what_the_service_stores():
    stored = walk(StepDone(True), StepDone(True), StepDone(False)).state

    rebuilt = CaseState(LADDER, index=stored.index, attempts=stored.attempts)

    assert next_step(rebuilt, StepDone(False)) == next_step(stored, StepDone(False))
