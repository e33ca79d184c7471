"""LocalFrida, the lab's Frida device: ending a process that is already gone is never an error."""

import subprocess
import time

from monitor.capture.local import LocalFrida


def test_killing_an_exited_child_that_is_not_reaped_yet_is_not_an_error():
    # what a lab run's close meets for a child the app started and has not waited for: Frida
    # says "failed to open /proc/PID/auxv" (NotSupportedError), which once ended a run as interrupted
    zombie = subprocess.Popen(["/bin/true"])
    try:
        time.sleep(0.3)
        frida = LocalFrida()
        frida.kill(zombie.pid)
        frida.kill(zombie.pid)
    finally:
        zombie.wait()
    assert zombie.returncode == 0
