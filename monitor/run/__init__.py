"""One owner of a run: the capture session (records, writer, proxy, keys, poll loop, progress,
final status) for every target (the lab JVM, an app on a phone)."""
