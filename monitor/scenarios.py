"""The scenarios of a run: what the tester does, so that the rules can judge the app by it."""

from __future__ import annotations

SCENARIOS = ("agree", "refuse", "background", "refuse-then-agree", "permissions-deny", "revisit")

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
    "refuse-then-agree": (
        "launch the app, tap refuse on the privacy notice, then agree when the app asks again (or on the "
        "next launch), then use the app"
    ),
    "permissions-deny": "launch the app, tap agree, then deny every runtime permission it asks for",
    "revisit": (
        "launch the app, tap agree, use it, then end it (force-stop, or swipe it away) and launch it again: "
        "it should not ask again, and use it"
    ),
}

SCENARIO_STEPS_ZH = {
    "agree": "启动应用，等待隐私政策弹窗，点击同意，然后使用应用的主要功能",
    "refuse": "启动应用，等待隐私政策弹窗，点击不同意，然后继续使用应用允许的功能",
    "background": "启动应用，点击同意，短暂使用，然后按 Home 键（应用进入后台）并熄屏两分钟",
    "refuse-then-agree": (
        "启动应用，在隐私政策弹窗点击不同意，应用再次询问（或下次启动）时点击同意，然后使用应用"
    ),
    "permissions-deny": "启动应用，点击同意，然后拒绝应用申请的每一项运行时权限",
    "revisit": (
        "启动应用，点击同意并使用，然后结束应用（强行停止或从最近任务划掉）再次启动："
        "不应再次询问，然后使用应用"
    ),
}


def scenario_steps(scenario: str) -> str:
    """What the tester does in this scenario, in the command line's language."""
    from .language import tr

    return tr(SCENARIO_STEPS[scenario], SCENARIO_STEPS_ZH[scenario])
