"""Every rule of rule_catalogue.RULES, as a function of the run's RuleContext."""

from __future__ import annotations

from typing import Callable

from ..rule_catalogue import RULES
from .behaviour_rules import (
    background_collection,
    excessive_frequency,
    forced_exit_after_refusal,
    plaintext_local_storage,
    reflective_access,
    self_or_associated_start,
)
from .common import RuleContext
from .consent_rules import (
    child_without_guardian_consent,
    no_notice_at_first_run,
    post_refusal,
    preconsent_collection,
    preconsent_transmission,
    sdk_preconsent,
)
from .grouping import group_findings
from .permission_rules import (
    permission_bundling,
    repeated_permission_request,
    sensitive_without_separate_consent,
)
from .transfer_rules import (
    cleartext_transmission,
    collection_beyond_declared,
    cross_border_transfer,
    third_party_sharing,
)

CHECKS: dict[str, Callable[[RuleContext], list]] = {
    "PRECONSENT_COLLECTION": preconsent_collection,
    "PRECONSENT_TRANSMISSION": preconsent_transmission,
    "SDK_PRECONSENT": sdk_preconsent,
    "POST_REFUSAL": post_refusal,
    "EXCESSIVE_FREQUENCY": excessive_frequency,
    "BACKGROUND_COLLECTION": background_collection,
    "THIRD_PARTY_SHARING": third_party_sharing,
    "CROSS_BORDER_TRANSFER": cross_border_transfer,
    "CLEARTEXT_TRANSMISSION": cleartext_transmission,
    "SENSITIVE_WITHOUT_SEPARATE_CONSENT": sensitive_without_separate_consent,
    "PERMISSION_BUNDLING": permission_bundling,
    "REPEATED_PERMISSION_REQUEST": repeated_permission_request,
    "FORCED_EXIT_AFTER_REFUSAL": forced_exit_after_refusal,
    "SELF_OR_ASSOCIATED_START": self_or_associated_start,
    "CHILD_DATA_WITHOUT_GUARDIAN_CONSENT": child_without_guardian_consent,
    "REFLECTIVE_ACCESS": reflective_access,
    "PLAINTEXT_LOCAL_STORAGE": plaintext_local_storage,
    "NO_NOTICE_AT_FIRST_RUN": no_notice_at_first_run,
    "COLLECTION_BEYOND_DECLARED": collection_beyond_declared,
}
assert set(CHECKS) == set(RULES), "every catalogued rule has a check, and only those"
# Rules that read the traffic's PI matches (ctx.matches). They run last, so the rules on hook events
# alone run while the traffic is still being matched; the findings are sorted either way.
TRAFFIC_RULES = {
    "PRECONSENT_TRANSMISSION",
    "SDK_PRECONSENT",
    "POST_REFUSAL",
    "THIRD_PARTY_SHARING",
    "CROSS_BORDER_TRANSFER",
    "CLEARTEXT_TRANSMISSION",
    "COLLECTION_BEYOND_DECLARED",
}


def run_rules(ctx: RuleContext) -> list:
    findings, seen = [], set()
    for _rule_id, check in sorted(CHECKS.items(), key=lambda item: item[0] in TRAFFIC_RULES):
        for finding in check(ctx):
            if finding.fingerprint not in seen:  # one finding per fingerprint: reviews attach to it
                seen.add(finding.fingerprint)
                findings.append(finding)
    findings.sort(key=lambda f: (f.ts, f.rule_id, f.fingerprint))
    group_findings(findings)
    return findings
