"""Report jobs (`jobs`) and their rendering (`rendering`)."""
