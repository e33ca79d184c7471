"""A capture session's scenario driver: what it needs from the run, and how its steps are stored.

Each step is stored as a `scenario:step` message with its time (the timeline and the report show
them); each consent tap also as a consent event of source `automatic` with the tapped text, taken
just before the tap, as a tester's key mark would be."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .. import events as ev
from ..consent import DEFAULT_VOCABULARY, Vocabulary
from ..drive.driver import DriveTimes, ScenarioDriver
from ..drive.screens import Screen
from ..language import tr
from ..timeutil import now_us
from .target import Target


@dataclass
class DriveSpec:
    scenario: str
    package: str
    screen: Callable[[Target], Screen | None]  # the target's screen once it runs
    vocabulary: Vocabulary = DEFAULT_VOCABULARY
    times: DriveTimes = field(default_factory=DriveTimes)


def start_driver(
    spec: DriveSpec,
    target: Target,
    session_id: str,
    writer,
    say: Callable[[str], None],
    on_mark: Callable[[ev.ConsentEvent], None] | None,
) -> ScenarioDriver | str:
    """The driver, started; or why it cannot start (the run ends incomplete with it)."""
    screen = spec.screen(target)
    if screen is None:
        return "privmon cannot see the app's screen, so it cannot drive the scenario"

    def record(step: dict) -> None:
        writer.submit(ev.AgentMessage(session_id, now_us(), ev.MSG_SCENARIO_STEP, step))
        say(_step_line(step))

    def consent_tap(kind: str, text: str) -> None:
        event = ev.ConsentEvent(session_id, now_us(), kind, "automatic", detail=f"privmon tapped {text!r}")
        writer.submit(event)
        if on_mark is not None:
            on_mark(event)

    driver = ScenarioDriver(
        screen, spec.scenario, spec.package, spec.vocabulary, record, consent_tap, target.running, spec.times
    )
    driver.start()
    return driver


def _step_line(step: dict) -> str:
    what = step.get("step", "")
    text = step.get("text")
    why = step.get("why", "")
    if text:
        return tr(f"privmon {what}: tapped {text!r} ({why})", f"privmon {what}：点击了 {text!r}（{why}）")
    return tr(f"privmon {what}: {why}", f"privmon {what}：{why}")
