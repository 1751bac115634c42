"""`pip install .` (not editable) gives a working command with everything it needs."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_ontology_shapes_queries_data_and_the_java_check(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True,
    )
    wheel = next(tmp_path.glob("dutygraph-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "dutygraph/resources/ontology/dutygraph.ttl",
        "dutygraph/resources/shapes/integrity.ttl",
        "dutygraph/resources/queries/unit-duties.rq",
        "dutygraph/resources/data/source/changgongdang-2022-61.txt",
        "dutygraph/resources/data/source/changgongdang-2022-61.toml",
        "dutygraph/resources/data/curation/obligations.csv",
        "dutygraph/java/Check.java",
        "dutygraph/cli.py",
    ):
        assert required in names, required


def test_the_installed_package_runs_from_its_own_resources_outside_the_checkout(run_cli, tmp_path):
    import dutygraph
    from dutygraph import paths

    assert "site-packages" in dutygraph.__file__, "make test installs the package, not an editable link"
    assert paths.resource_root() == Path(dutygraph.__file__).parent / "resources"
    result = subprocess.run([str(Path(sys.executable).parent / "dutygraph"), "query", "graph-counts", "--format", "csv"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("5,37,56,")
