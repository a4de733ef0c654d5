# tests/cells.mk
