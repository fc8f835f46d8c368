"""Tooling the tests and the bench share, never shipped with the pipeline: the loopback mirror of
../shared/data, the partial-dump writer, the loopback webhook, and the headless Chromium runner."""
