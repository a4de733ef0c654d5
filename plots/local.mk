# plots/local.mk -- the shared style and the rendering rules.
