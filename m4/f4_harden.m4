dnl f4_harden.m4: fuse4fs's compiler-flag probe and hardening flags for
dnl configure.ac. Each flag is used only if a test program compiles and
dnl links with it, warnings as errors (so a flag the toolchain merely
dnl ignores is not taken).

dnl F4_TRY_FLAGS(VAR, CFLAGS-TO-TRY, LDFLAGS-TO-TRY, [PROGRAM-BODY])
dnl Append the flags to VAR when a program builds with them.
AC_DEFUN([F4_TRY_FLAGS], [
  AC_MSG_CHECKING([whether $CC accepts m4_normalize([$2 $3])])
  f4_save_CFLAGS=$CFLAGS
  f4_save_LDFLAGS=$LDFLAGS
  CFLAGS="$CFLAGS -Werror $2"
  LDFLAGS="$LDFLAGS $3"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <string.h>]],
      [m4_default([$4], [[char b[16]; strcpy(b, "x"); return (int)strlen(b);]])])],
    [AC_MSG_RESULT([yes]); $1="$$1 m4_normalize([$2 $3])"],
    [AC_MSG_RESULT([no])])
  CFLAGS=$f4_save_CFLAGS
  LDFLAGS=$f4_save_LDFLAGS
])

dnl F4_HARDENING: --disable-hardening, and the flags it turns off:
dnl -fstack-protector-strong, -fstack-clash-protection, _FORTIFY_SOURCE=2
dnl (only when optimising, never with sanitizers: set enable_sanitizers
dnl first), PIE and full RELRO. Results (substituted): F4_HARDEN_CPPFLAGS,
dnl F4_HARDEN_CFLAGS, F4_HARDEN_LDFLAGS.
AC_DEFUN([F4_HARDENING], [
  AC_ARG_ENABLE([hardening],
    [AS_HELP_STRING([--disable-hardening],
      [build without -fstack-protector-strong, -fstack-clash-protection, -D_FORTIFY_SOURCE=2, PIE and full RELRO])],
    [], [enable_hardening=yes])
  F4_HARDEN_CPPFLAGS=
  F4_HARDEN_CFLAGS=
  F4_HARDEN_LDFLAGS=
  AS_IF([test "x$enable_hardening" != xno], [
    F4_TRY_FLAGS([F4_HARDEN_CFLAGS], [-fstack-protector-strong])
    F4_TRY_FLAGS([F4_HARDEN_CFLAGS], [-fstack-clash-protection])
    dnl _FORTIFY_SOURCE does nothing without optimisation (older glibc
    dnl warns, newer is silent): it follows the CFLAGS given. It also
    dnl hides string functions from AddressSanitizer: not with sanitizers.
    AC_MSG_CHECKING([whether CFLAGS optimise (for _FORTIFY_SOURCE)])
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#ifndef __OPTIMIZE__
#error not optimising
#endif]], [])], [f4_optimize=yes], [f4_optimize=no])
    AC_MSG_RESULT([$f4_optimize])
    AS_IF([test "x$enable_sanitizers" = xno && test "x$f4_optimize" = xyes],
      [F4_TRY_FLAGS([F4_HARDEN_CPPFLAGS], [-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2])])
    AS_IF([test "x$enable_sanitizers" = xno && test "x$f4_optimize" = xno],
      [AC_MSG_WARN([_FORTIFY_SOURCE not used: it needs optimisation (CFLAGS with -O1 or more)])])
    dnl PIE: objects of programs with their own CFLAGS must be PIC too, so
    dnl when the compiler does not make PIE code by default, -fPIE goes
    dnl into the preprocessor flags every compile command gets.
    AC_MSG_CHECKING([whether $CC makes position-independent executables by default])
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#if !defined(__PIE__) && !defined(__pie__)
#error not PIE
#endif]], [])], [f4_default_pie=yes], [f4_default_pie=no])
    AC_MSG_RESULT([$f4_default_pie])
    f4_pie=
    AS_IF([test "x$f4_default_pie" = xyes],
      [F4_TRY_FLAGS([f4_pie], [], [-pie])],
      [F4_TRY_FLAGS([f4_pie], [-fPIE], [-pie])
       AS_IF([test -n "$f4_pie"], [F4_HARDEN_CPPFLAGS="$F4_HARDEN_CPPFLAGS -fPIE"])])
    AS_IF([test -n "$f4_pie"], [F4_HARDEN_LDFLAGS="$F4_HARDEN_LDFLAGS -pie"])
    F4_TRY_FLAGS([F4_HARDEN_LDFLAGS], [], [-Wl,-z,relro,-z,now])
  ])
  AC_SUBST([F4_HARDEN_CPPFLAGS])
  AC_SUBST([F4_HARDEN_CFLAGS])
  AC_SUBST([F4_HARDEN_LDFLAGS])
])
