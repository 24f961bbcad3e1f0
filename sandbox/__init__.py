"""The emulators of every platform (ASGI): `sandbox.app.build_sandbox_app` serves them all,
`sandbox.inprocess` mounts them in one process for tests, `sandbox.persistence` keeps their state on
disk. Only tests, scripts and the `banjia` command import this package; production code reaches the
sandbox over HTTP, exactly as it reaches the platforms."""
