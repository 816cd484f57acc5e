"""report.background: a function run in a forked child returns its value; failures fall back
to the caller, where the real exception surfaces."""

from __future__ import annotations

import os

import pytest

from exportlens.errors import InputError
from exportlens.report.background import in_background


def test_value_comes_back_from_the_child(monkeypatch):
    monkeypatch.setenv("EXPORTLENS_PARALLEL", "1")
    parent = os.getpid()
    wait = in_background(lambda: {"pid": os.getpid(), "value": [1, 2, 3]})
    got = wait()
    assert got["value"] == [1, 2, 3]
    if hasattr(os, "fork") and (os.cpu_count() or 1) >= 2:
        assert got["pid"] != parent  # really ran in a child


def test_failure_reruns_in_the_caller_with_the_real_error(monkeypatch):
    monkeypatch.setenv("EXPORTLENS_PARALLEL", "1")
    calls = []

    def boom():
        calls.append(os.getpid())
        raise InputError("bad input, said plainly")

    wait = in_background(boom)
    with pytest.raises(InputError, match="said plainly"):
        wait()
    assert os.getpid() in calls  # the caller ran it to raise the error


def test_serial_switch(monkeypatch):
    monkeypatch.setenv("EXPORTLENS_PARALLEL", "1")
    monkeypatch.setenv("EXPORTLENS_SERIAL", "1")

    def fn():
        return os.getpid()

    assert in_background(fn) is fn
