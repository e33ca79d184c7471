"""`privmon policy`: what the app's own privacy notice and policy pages declared, as the analysis
read them, and an app profile to correct them with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
import yaml

from .cli_base import CliError, _reader, _resolve_session, app, out
from .exitcodes import ExitCode
from .language import tr


@app.command()
def policy(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    as_json: bool = typer.Option(False, "--json", help="Print the stored lists as JSON."),
    profile_out: Optional[Path] = typer.Option(
        None,
        "--profile-out",
        help="Write an app profile with these lists (edit it, then `privmon analyze SESSION "
        "--app-profile FILE` to judge with the corrected lists).",
    ),
) -> None:
    """The personal information and third parties the app's privacy notice and policy pages declared
    (the 双清单), read from what the run showed; used by the declared-vs-observed rule when the app
    profile declares no lists of its own."""
    from .storage.facts import SessionFacts

    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
        facts = SessionFacts(reader, sid)
        package = reader.session(sid)["app"]
    if not facts.analysed:
        raise CliError(f"session {sid} has not been analysed yet: `privmon analyze {sid}` first")
    declared = facts.policy
    if declared is None:
        raise CliError(
            f"session {sid} was analysed before privmon read privacy policies: `privmon analyze {sid}` again"
        )
    if profile_out is not None:
        data = {
            "package": package,
            "declared_collected": declared["collected"],
            "declared_shared": declared["shared"],
        }
        try:
            profile_out.write_text(
                "# parsed from the privacy notice and policy pages of session " + sid + "; correct it, then\n"
                f"# privmon analyze {sid} --app-profile {profile_out}\n"
                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
        except OSError as exc:
            raise CliError(f"--profile-out {profile_out}: {exc.strerror or exc}", ExitCode.STORE) from None
    if as_json:
        print(json.dumps(declared, ensure_ascii=False, indent=2))
        return
    if not declared["sources"]:
        out.print(
            tr(
                "The run showed no privacy notice or policy page privmon could read (a notice is read when "
                "privmon drives the scenario; a policy page when the app loads it).",
                "本次运行中没有可读取的隐私弹窗或隐私政策页面"
                "（由 privmon 执行场景时读取弹窗；应用加载政策页面时读取页面）。",
            ),
            markup=False,
        )
        return
    for source in declared["sources"]:
        out.print(
            f"{tr('read', '已读取')}: {source['kind']} · {source['where']} ({source['chars']} chars)",
            markup=False,
        )
    for title, items in (
        (tr("declared collected", "声明收集"), declared["collected"]),
        (tr("declared shared with", "声明共享给"), declared["shared"]),
    ):
        out.print(f"{title}: {', '.join(items) or tr('nothing found', '未找到')}", markup=False)
        for item in items:
            out.print(f"  {item}: {declared['evidence'].get(item, '')}", markup=False)
    out.print(
        tr(
            "used by the declared-vs-observed rule"
            if declared["used"]
            else "not used: the app profile declares its own lists",
            "已用于声明与实际比对规则" if declared["used"] else "未使用：应用配置已声明自己的清单",
        ),
        markup=False,
    )
