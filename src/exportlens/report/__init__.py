"""Figures, tables and run manifests: everything exportlens writes for a reader.

Tables render results computed in the layers below (``RegressionTable`` from
:class:`~exportlens.econometrics.ModelResult` objects, ``DescriptiveTable`` from
:func:`exportlens.econometrics.describe`, ``FrameTable`` from any DataFrame); every table
writes Markdown, HTML, LaTeX, Word, Excel and CSV (:func:`write_tables`). Figure modules
import matplotlib only when a figure is drawn.
"""

from exportlens.report.descriptive_tables import DescriptiveTable, describe_table
from exportlens.report.figures import cjk_font, coefficient_plot, figure_language, group_trends
from exportlens.report.figures_firms import survival_by_group
from exportlens.report.figures_linkage import rank_frequency_histograms
from exportlens.report.figures_synergy import band_distribution_plot, coordination_tile_map
from exportlens.report.figures_value_added import share_bars, source_heatmap, top_regions_matrix
from exportlens.report.manifest import (
    new_output_dir,
    package_versions,
    run_packages,
    sha256_file,
    write_manifest,
)
from exportlens.report.progress import step_progress
from exportlens.report.regression_tables import RegressionTable
from exportlens.report.tables import (
    FORMATS,
    TABLE_FORMATS,
    FrameTable,
    Grid,
    RelabelledTable,
    export_grid,
    format_count,
    format_number,
    star_string,
    write_tables,
)

__all__ = [
    "FORMATS",
    "TABLE_FORMATS",
    "DescriptiveTable",
    "FrameTable",
    "Grid",
    "RegressionTable",
    "RelabelledTable",
    "band_distribution_plot",
    "cjk_font",
    "coefficient_plot",
    "coordination_tile_map",
    "describe_table",
    "export_grid",
    "figure_language",
    "format_count",
    "format_number",
    "group_trends",
    "new_output_dir",
    "package_versions",
    "rank_frequency_histograms",
    "run_packages",
    "sha256_file",
    "share_bars",
    "source_heatmap",
    "star_string",
    "step_progress",
    "survival_by_group",
    "top_regions_matrix",
    "write_manifest",
    "write_tables",
]
