# chapters/local.mk -- one program per lesson.
