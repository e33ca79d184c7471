"""Exit codes of every privmon command."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # reserved: findings at or above --fail-on
    USAGE = 2
    NOT_FOUND = 3
    BAD_BUNDLE = 4
    RUN_FAILED = 5
    SETUP = 6
    STORE = 7  # the store cannot be read or written (permissions, a read-only disk, a full disk)
    INCOMPLETE = 8  # privmon drove the scenario and could not do a step (no notice, no matching button)
    INTERNAL = 70
