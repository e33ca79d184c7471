"""Capture: Frida hook runner, the in-process proxy host, device control. Converts and hands
over to the writer; never analyses."""
