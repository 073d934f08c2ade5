"""The officer's pages: the year's emulation registration and the yearly report form (/report/)."""
