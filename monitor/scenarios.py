"""The scenarios of a run: what the tester does, so that the rules can judge the app by it."""

from __future__ import annotations

SCENARIOS = ("agree", "refuse", "background")

SCENARIO_STEPS = {
    "agree": "launch the app, wait for the privacy notice, tap agree, then use the app's main features",
    "refuse": (
        "launch the app, wait for the privacy notice, tap refuse (不同意), "
        "then keep using what the app allows"
    ),
    "background": (
        "launch the app, tap agree, use it briefly, then press Home (app in the background) and turn the "
        "screen off for two minutes"
    ),
}
