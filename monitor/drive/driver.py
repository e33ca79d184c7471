"""The scenario driver: privmon performs the tester's part of a scenario by itself.

It reads the screen, finds the privacy notice and the button that means what the scenario wants
(the app profile's texts and the built-in vocabulary, consent.py; whole-text matches only, so
不同意 is never taken for 同意), taps it, answers runtime-permission dialogs as the scenario says,
sends the app to the background and back, and waits. Every step is recorded with its time, what
was tapped and why; a step it cannot do ends the scenario `incomplete` with the reason."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Callable

from ..consent import NOTICE_WORDS, Vocabulary, classify_click, normalise
from .screens import KEY_BACK, KEY_HOME, Screen, ScreenGone
from .ui import DumpError, UiNode

ALLOW_IDS = (
    "permission_allow_foreground_only_button",
    "permission_allow_button",
    "permission_allow_one_time_button",
)
DENY_IDS = ("permission_deny_button", "permission_deny_and_dont_ask_again_button")
ALLOW_TEXTS = frozenset(
    {
        "while using the app",
        "allow",
        "only this time",
        "仅在使用中允许",
        "使用时允许",
        "允许",
        "始终允许",
        "本次运行允许",
        "仅此一次",
    }
)
POLICY_LINK = re.compile(r"《[^》]{0,40}(隐私|个人信息)[^》]{0,40}》|\bprivacy policy\b", re.IGNORECASE)
DENY_TEXTS = frozenset({"don’t allow", "don't allow", "deny", "拒绝", "禁止", "不允许", "拒绝且不再询问"})

# What each scenario does after launch: (action, argument).
PLANS: dict[str, list[tuple[str, str | None]]] = {
    "agree": [("answer", "consent"), ("use", None)],
    "refuse": [("answer", "refuse"), ("use", None)],
    "refuse-then-agree": [("answer", "refuse"), ("answer-again", "consent"), ("use", None)],
    "background": [
        ("answer", "consent"),
        ("use", None),
        ("home", None),
        ("away", None),
        ("return", None),
        ("use", None),
    ],
    "permissions-deny": [("answer", "consent"), ("use", None)],
    # the app's second launch after consent: its process ended (force-stop), started again
    "revisit": [("answer", "consent"), ("use", None), ("close", None), ("relaunch", None), ("use", None)],
}
DRIVEN_SCENARIOS = tuple(PLANS)


@dataclass
class DriveTimes:
    notice_s: float = 30.0  # how long privmon waits for the privacy notice
    use_s: float = 15.0  # how long the app is used after a decision (or until it ends)
    background_s: float = 120.0  # how long the app stays in the background
    settle_s: float = 3.0  # how long a tapped dialog gets to go away
    poll_s: float = 0.5


class Incomplete(Exception):
    """A step privmon could not do: the scenario ends incomplete with this reason."""


@dataclass
class Outcome:
    status: str  # completed | incomplete
    reason: str


Record = Callable[[dict], None]  # a step: {"step", "action", "text", "why", "ok", ...}
ConsentTap = Callable[[str, str], None]  # (kind, tapped text)


class ScenarioDriver:
    """Runs a scenario's plan on a thread; `outcome` is set when it ends."""

    def __init__(
        self,
        screen: Screen,
        scenario: str,
        package: str,
        vocabulary: Vocabulary,
        record: Record,
        consent_tap: ConsentTap,
        app_running: Callable[[], bool],
        times: DriveTimes | None = None,
    ) -> None:
        if scenario not in PLANS:
            raise ValueError(
                f"privmon cannot drive the scenario {scenario!r} (it drives: {', '.join(PLANS)})"
            )
        self.screen = screen
        self.scenario = scenario
        self.package = package
        self.vocabulary = vocabulary
        self.record = record
        self.consent_tap = consent_tap
        self.app_running = app_running
        self.times = times or DriveTimes()
        self.deny_permissions = scenario == "permissions-deny"
        self.outcome: Outcome | None = None
        self.decision: str | None = None  # the last consent decision taken: the same answer if asked again
        self.policy_opened = False  # the notice's link to the policy, tapped once so the proxy sees the page
        self.launches = 1
        # set while the app's process is ended on purpose (close → relaunch): the run goes on without it
        self.restarting = threading.Event()
        self.stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="privmon-driver", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    # -- the plan ------------------------------------------------------------------------------
    def _run(self) -> None:
        if any(action == "relaunch" for action, _ in PLANS[self.scenario]):
            # the app's first process may end by itself before the relaunch: the run waits for it
            self.restarting.set()
        try:
            for action, argument in PLANS[self.scenario]:
                getattr(self, "_" + action.replace("-", "_"))(argument)
            self.outcome = Outcome("completed", f"privmon drove the {self.scenario} scenario to its end")
        except Incomplete as exc:
            self.record({"step": "incomplete", "ok": False, "why": str(exc)})
            self.outcome = Outcome("incomplete", str(exc))
        except Exception as exc:  # noqa: BLE001 - the driver never takes the run down with it
            self.record({"step": "incomplete", "ok": False, "why": f"driver error: {exc}"})
            self.outcome = Outcome("incomplete", f"the scenario driver failed: {type(exc).__name__}: {exc}")
        self.record({"step": "end", "ok": self.outcome.status == "completed", "why": self.outcome.reason})

    def _answer(self, wanted: str, again: bool = False) -> None:
        word = "agree" if wanted == "consent" else "refuse"
        deadline = time.monotonic() + self.times.notice_s
        seen_notice_at: float | None = None
        relaunched = False
        while True:
            nodes = self._screen_now(f"waiting for the privacy notice to {word}")
            if nodes is None:
                raise Incomplete(
                    f"the app ended before privmon could {word} on its privacy notice"
                    + (" again" if again else "")
                )
            button = self._button(nodes, wanted)
            if button is not None and not self.policy_opened and self._open_policy(nodes, button):
                continue  # the screen again: the notice as it is now
            if button is not None:
                self._tap_consent(button, wanted, nodes)
                return
            if self._notice_text(nodes) is not None and seen_notice_at is None:
                seen_notice_at = time.monotonic()
            if seen_notice_at is not None and time.monotonic() - seen_notice_at > self.times.settle_s:
                texts = ", ".join(repr(n.text) for n in self._app_buttons(nodes)) or "none"
                raise Incomplete(
                    f"the privacy notice has no button that means {word} (its buttons: {texts}); "
                    f"add the text to the app profile's {word}_texts"
                )
            if time.monotonic() > deadline:
                if again and not relaunched:  # an app that closed on the refusal: open it again
                    relaunched = True
                    self._launch("the notice did not come back after the refusal")
                    deadline = time.monotonic() + self.times.notice_s
                    continue
                raise Incomplete(
                    f"no privacy notice with a button to {word} appeared within {self.times.notice_s:.0f} s"
                    + (" after the refusal" if again else "")
                )
            self._sleep(self.times.poll_s)

    def _answer_again(self, wanted: str) -> None:
        self._answer(wanted, again=True)

    def _use(self, _argument) -> None:
        self.record({"step": "use", "ok": True, "why": f"use the app for up to {self.times.use_s:.0f} s"})
        end = time.monotonic() + self.times.use_s
        while time.monotonic() < end and not self.stop.is_set():
            nodes = self._screen_now("using the app")
            if nodes is None:
                return  # the app ended by itself: nothing more to use
            asked_again = self._button(nodes, self.decision) if self.decision else None
            if asked_again is not None and self._notice_text(nodes) is not None:
                because = (
                    f"the notice came back on launch {self.launches}, after the answer on an earlier one: "
                    "the same answer"
                    if self.launches > 1
                    else "the notice came back: the same answer"
                )
                self._tap_consent(asked_again, self.decision, nodes, because)
            self._sleep(self.times.poll_s)

    def _home(self, _argument) -> None:
        self._call(lambda: self.screen.key(KEY_HOME), "pressing Home")
        self.record(
            {"step": "home", "action": "keyevent 3", "ok": True, "why": "send the app to the background"}
        )

    def _away(self, _argument) -> None:
        self.record(
            {
                "step": "away",
                "ok": True,
                "why": f"the app stays in the background {self.times.background_s:.0f} s",
            }
        )
        self._sleep(self.times.background_s)

    def _close(self, _argument) -> None:
        if not self.app_running():
            self.record({"step": "close", "ok": True, "why": "the app's process had ended by itself"})
            return
        self._call(self.screen.close, "ending the app's process")
        self.record(
            {
                "step": "close",
                "action": "am force-stop",
                "ok": True,
                "why": "end the app's process (its data stays) before its next launch",
            }
        )
        self._wait_until_running(
            False, 10 * self.times.settle_s, "the app's process did not end after am force-stop"
        )

    def _relaunch(self, _argument) -> None:
        self.launches += 1
        self._launch(f"launch {self.launches}: the app again, as a user opens it after having answered")
        within = self.times.notice_s
        self._wait_until_running(True, within, f"the app did not start again within {within:.0f} s")
        self.restarting.clear()

    def _wait_until_running(self, running: bool, within_s: float, otherwise: str) -> None:
        end = time.monotonic() + within_s
        while self.app_running() != running and not self.stop.is_set():
            if time.monotonic() > end:
                raise Incomplete(otherwise)
            self._sleep(self.times.poll_s)

    def _return(self, _argument) -> None:
        self._launch("bring the app back to the foreground")

    def _launch(self, why: str) -> None:
        self._call(self.screen.launch, "launching the app")
        self.record({"step": "launch", "action": "launcher intent", "ok": True, "why": why})

    # -- the screen ----------------------------------------------------------------------------
    def _screen_now(self, doing: str) -> list[UiNode] | None:
        """The screen's nodes, permission dialogs answered first; None when the app is gone."""
        for _ in range(5):  # a permission dialog after another
            if not self.app_running():
                return None
            try:
                nodes = self.screen.dump()
            except ScreenGone:
                return None
            except DumpError as exc:
                raise Incomplete(f"the screen could not be read while {doing}: {exc}") from None
            permission = [n for n in nodes if n.is_permission_dialog]
            if not permission:
                return nodes
            self._answer_permission(permission)
            self._sleep(self.times.poll_s)
        raise Incomplete(f"permission dialogs kept coming while {doing}")

    def _answer_permission(self, nodes: list[UiNode]) -> None:
        ids, texts = (DENY_IDS, DENY_TEXTS) if self.deny_permissions else (ALLOW_IDS, ALLOW_TEXTS)
        buttons = [n for n in nodes if n.clickable]
        choice = next(
            (n for wanted in ids for n in buttons if n.resource_id.endswith(":id/" + wanted)),
            next((n for n in buttons if normalise(n.text) in texts), None),
        )
        question = next((n.text for n in nodes if n.text and not n.clickable), "")
        if choice is None:
            raise Incomplete(
                f"a permission dialog ({question[:80]!r}) has no button to "
                f"{'deny' if self.deny_permissions else 'allow'}"
            )
        self._call(lambda: self.screen.tap(*choice.centre), "answering a permission dialog")
        self.record(
            {
                "step": "permission",
                "action": "tap",
                "text": choice.text,
                "at": list(choice.centre),
                "ok": True,
                "why": f"the scenario {'denies' if self.deny_permissions else 'allows'} runtime permissions"
                + (f": {question[:200]}" if question else ""),
            }
        )

    def _app_buttons(self, nodes: list[UiNode]) -> list[UiNode]:
        return [n for n in nodes if n.clickable and n.text and n.package == self.package]

    def _button(self, nodes: list[UiNode], wanted: str) -> UiNode | None:
        matching = [n for n in self._app_buttons(nodes) if classify_click(n.text, self.vocabulary) == wanted]
        return max(matching, key=lambda n: n.window, default=None)  # the top-most window's

    def _notice_text(self, nodes: list[UiNode]) -> str | None:
        for node in nodes:
            if node.package == self.package and any(w in node.text.lower() for w in NOTICE_WORDS):
                return node.text
        return None

    def _open_policy(self, nodes: list[UiNode], button: UiNode) -> bool:
        """Taps the notice's link to the privacy policy once (the app loads the page, the proxy
        captures it, the analysis reads what it declares), and comes back with Back when the page
        covered the notice."""
        self.policy_opened = True
        link = next(
            (
                n
                for n in self._app_buttons(nodes)
                if n.window == button.window and n is not button and POLICY_LINK.search(n.text)
            ),
            None,
        )
        if link is None:
            return False
        self._call(lambda: self.screen.tap(*link.centre), f"opening {link.text!r}")
        self.record(
            {
                "step": "policy",
                "action": "tap",
                "text": link.text,
                "at": list(link.centre),
                "ok": True,
                "why": "open the privacy policy the notice links to, so that what it declares is captured",
            }
        )
        self._sleep(max(1.0, 2 * self.times.poll_s))
        after = self._screen_now("coming back from the privacy policy")
        if (
            after is not None
            and self._button(after, "consent") is None
            and self._button(after, "refuse") is None
        ):
            self._call(lambda: self.screen.key(KEY_BACK), "pressing Back")
            self.record({"step": "back", "action": "keyevent 4", "ok": True, "why": "back to the notice"})
        return True

    def _tap_consent(self, button: UiNode, wanted: str, nodes: list[UiNode], because: str = "") -> None:
        notice = self._notice_text(nodes)
        whole_notice = "\n".join(n.text for n in nodes if n.window == button.window and n.text)[:20000]
        self.decision = wanted
        self.consent_tap(wanted, button.text)
        self._call(lambda: self.screen.tap(*button.centre), f"tapping {button.text!r}")
        self.record(
            {
                "step": "consent" if wanted == "consent" else "refuse",
                "action": "tap",
                "text": button.text,
                "at": list(button.centre),
                "ok": True,
                "why": f"the scenario {self.scenario} says {'agree' if wanted == 'consent' else 'refuse'}; "
                f"{button.text!r} means {wanted}"
                + (f" on the notice {notice[:120]!r}" if notice else "")
                + (f" ({because})" if because else ""),
                "notice_text": whole_notice,
            }
        )
        end = time.monotonic() + self.times.settle_s
        while time.monotonic() < end:
            self._sleep(self.times.poll_s)
            after = self._screen_now("checking the tap took effect")
            if after is None or not any(n.bounds == button.bounds and n.text == button.text for n in after):
                return
        raise Incomplete(f"privmon tapped {button.text!r} but the notice stayed on the screen")

    def _call(self, action: Callable[[], None], doing: str) -> None:
        try:
            action()
        except ScreenGone as exc:
            raise Incomplete(f"the app or phone went away while {doing}: {exc}") from None

    def _sleep(self, seconds: float) -> None:
        self.stop.wait(seconds)
