"""The run manifest records the version of every package a run may use."""

from __future__ import annotations

from importlib import metadata

from exportlens.report.manifest import declared_dependencies, run_packages


def test_manifest_lists_every_declared_dependency_with_its_installed_version():
    declared = declared_dependencies()
    for name in ("pandas", "pyfixest", "duckdb", "ibis-framework", "sqlglot", "wildboottest", "maketables"):
        assert name in declared
    assert "pytest" not in declared  # test-only packages never run in a study
    versions = run_packages()
    assert versions["exportlens"] is not None
    for name in declared:
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = None
        assert versions[name] == expected, name
