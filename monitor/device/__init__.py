"""Real phones and emulators over adb (the lab's simulated adbd answers the same way)."""
