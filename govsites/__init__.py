"""govsites: government website performance evaluation (政府网站绩效评估)."""
