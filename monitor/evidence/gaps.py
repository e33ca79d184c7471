"""What a run could not capture, from what it recorded of itself: processes of the app privmon
could not follow (a fork never seen running a program, a process Frida could not attach to). The
report lists them with the test's limits; each is one line in both languages."""

from __future__ import annotations

from .. import events as ev


def capture_gaps(reader, session_id: str) -> list[tuple[str, str]]:
    """(Chinese, English) lines, oldest first."""
    gaps: list[tuple[str, str]] = []
    for m in reader.agent_messages(session_id, [ev.MSG_CHILD_LOST, ev.MSG_ATTACH_FAILED]):
        payload = m["payload"] if isinstance(m["payload"], dict) else {}
        pid = payload.get("pid")
        if m["type"] == ev.MSG_CHILD_LOST:
            gaps.append(
                (
                    f"应用 fork 出的进程（pid {pid}）未被看到执行任何程序：其 exec 失败，或 Frida 使其在 "
                    "exec 之前崩溃；若为后者，该程序的行为未被记录。",
                    f"A process the app forked (pid {pid}) was never seen running a program: its exec "
                    "failed, or Frida crashed it before its exec, and then what that program did is "
                    "not recorded.",
                )
            )
        else:
            what = str(payload.get("process") or payload.get("path") or "?")[:200]
            error = str(payload.get("error") or "")[:300]
            gaps.append(
                (
                    f"未能监控应用的进程 {what}（pid {pid}）：{error}；其行为未被记录。",
                    f"The app's process {what} (pid {pid}) could not be followed ({error}); what it "
                    "did is not recorded.",
                )
            )
    return gaps
