"""`examples/workbench.ipynb` (issue 21) runs headless, top to bottom, in a kernel of the project venv's python.

The kernel spec lives in a tmp dir and every Jupyter/IPython folder points into tmp too, so the test never reads
or writes the user's own Jupyter config, kernels or runtime files. The notebook is committed without outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "workbench.ipynb"
KERNEL = "klaviyo-workbench-test"


def read_notebook() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_the_notebook_is_committed_without_outputs() -> None:
    notebook = read_notebook()
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), "strip the outputs"


@pytest.fixture
def kernel_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec for this very python, in a private Jupyter data dir; IPython's and Jupyter's dirs in tmp."""
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    spec_dir = tmp_path / "jupyter_data_dir" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Klaviyo workbench (project venv)",
        "language": "python",
        "env": {"PYTHONPATH": str(ROOT)},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KERNEL


def test_the_example_notebook_runs_without_a_cell_error(kernel_spec: str, tmp_path: Path) -> None:
    notebook = read_notebook()
    client = NotebookClient(
        notebook, timeout=240, kernel_name=kernel_spec, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError naming the cell on the first error
    errors = [out for cell in notebook.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors
    shown = "".join(
        str(out.get("data", {}).get("text/html", "")) for cell in notebook.cells for out in cell.get("outputs", [])
    )
    assert "Profile import plan" in shown and "Tag plan" in shown  # the plans rendered as HTML tables
