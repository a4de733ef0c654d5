# tests/gradcheck.mk
