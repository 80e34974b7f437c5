"""The tooth chart: charting, Remove Chart Graphic and re-charting, and reading the marks (TX-CHART-*)."""
