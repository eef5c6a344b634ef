# Core verbs shared by several operations, so that the FUSE glue only
# decodes, calls one verb and replies: chmod and the setuid/setgid kill
# (file: setattr and write use them). Included from the top Makefile.am.
libf4core_a_SOURCES += \
	src/file/mode.c src/file/mode.h
