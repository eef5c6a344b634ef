# Core verbs shared by several operations, so that the FUSE glue only
# decodes, calls one verb and replies: chmod and the setuid/setgid kill
# (file: setattr and write use them), opening and closing file handles
# (ns: the open count lives in the inode cache, which the glue never
# touches). Included from the top Makefile.am.
libf4core_a_SOURCES += \
	src/file/mode.c src/file/mode.h \
	src/ns/handle.c src/ns/handle.h
